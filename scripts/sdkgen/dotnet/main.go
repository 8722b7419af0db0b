// Generates the .NET SDK of one provider from its package schema with
// Pulumi's own C# code generator. That generator left github.com/pulumi/pulumi
// for pulumi-dotnet (not served by the Go module proxy) after v3.163.0, so
// scripts/gen-sdks.sh builds this program at that release.
//
//	sdkgen-dotnet <schema.json> <out-dir> <logo.png>
//
// The generator fetches the package's logo (the schema's logoUrl) over HTTP to
// put it in the NuGet package; it is answered from the local file instead, so
// generating needs no network and gives the same bytes every time.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-ai-gateway"

func main() {
	if len(os.Args) != 4 {
		fail(fmt.Errorf("usage: sdkgen-dotnet <schema.json> <out-dir> <logo.png>"))
	}
	schemaPath, out, logoPath := os.Args[1], os.Args[2], os.Args[3]
	logo, err := os.ReadFile(logoPath)
	if err != nil {
		fail(err)
	}
	text, err := os.ReadFile(schemaPath)
	if err != nil {
		fail(err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		fail(fmt.Errorf("%s: %w", schemaPath, err))
	}
	pkg, diags, err := schema.BindSpec(spec, nil)
	if err != nil {
		fail(err)
	}
	if diags.HasErrors() {
		fail(diags)
	}
	http.DefaultTransport = localLogo{url: pkg.LogoURL, png: logo}
	files, err := dotnet.GeneratePackage(tool, pkg, nil, nil)
	if err != nil {
		fail(err)
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fail(err)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			fail(err)
		}
	}
}

// localLogo answers the request for the logo's URL with the local file, and refuses any other.
type localLogo struct {
	url string
	png []byte
}

func (l localLogo) RoundTrip(request *http.Request) (*http.Response, error) {
	if request.URL.String() != l.url {
		return nil, fmt.Errorf("no network: the generator asked for %s", request.URL)
	}
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(l.png)), Request: request}, nil
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "sdkgen-dotnet: %v\n", err)
	os.Exit(1)
}
