// Generates the .NET SDK of one provider from its package schema with
// Pulumi's own C# code generator. That generator left github.com/pulumi/pulumi
// for pulumi-dotnet (not served by the Go module proxy); scripts/gen-sdks.sh
// builds this program (with ../common.go) at the newest served release that
// still has it.
//
//	sdkgen-dotnet <schema.json> <out-dir> <logo.png>
//
// The generator fetches the package's logo (the schema's logoUrl) over HTTP to
// put it in the NuGet package; it is answered from the local file instead, so
// generating needs no network and gives the same bytes every time.
package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
)

func main() {
	if len(os.Args) != 4 {
		fail(fmt.Errorf("usage: sdkgen-dotnet <schema.json> <out-dir> <logo.png>"))
	}
	schemaPath, out, logoPath := os.Args[1], os.Args[2], os.Args[3]
	logo, err := os.ReadFile(logoPath)
	if err != nil {
		fail(err)
	}
	pkg := bindSchema(schemaPath)
	http.DefaultTransport = localLogo{url: pkg.LogoURL, png: logo}
	files, err := dotnet.GeneratePackage(tool, pkg, nil, nil)
	if err != nil {
		fail(err)
	}
	write(out, files)
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
