// Generates the Python and Go SDKs of one provider from its package schema
// with Pulumi's own code generators, at the release of the Pulumi CLI the
// toolchain builds (scripts/gen-sdks.sh builds this program with ../common.go).
//
//	sdkgen <python|go> <schema.json> <out-dir>
package main

import (
	"fmt"
	"os"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
)

func main() {
	if len(os.Args) != 4 {
		fail(fmt.Errorf("usage: sdkgen <python|go> <schema.json> <out-dir>"))
	}
	language, schemaPath, out := os.Args[1], os.Args[2], os.Args[3]
	pkg := bindSchema(schemaPath)
	var files map[string][]byte
	var err error
	switch language {
	case "python":
		files, err = python.GeneratePackage(tool, pkg, nil, noReferences{})
	case "go":
		files, err = gogen.GeneratePackage(tool, pkg, nil)
	default:
		err = fmt.Errorf("unknown language %q", language)
	}
	if err != nil {
		fail(err)
	}
	write(out, files)
}
