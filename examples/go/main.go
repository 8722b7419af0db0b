// A Portkey workspace and a service API key for it, on the Go SDK generated
// from the provider's schema (sdk/go). Needs the plugin pulumi-resource-portkey
// (`npx pulumi-ai-gateway install-plugins`) and Pulumi's Go language host
// (part of the Pulumi CLI); configure `portkey:apiKey` (secret) first.
package main

import (
	"github.com/pulumi-ai-gateway/pulumi-ai-gateway/sdk/go/portkey"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		team, err := portkey.NewWorkspace(ctx, "team", &portkey.WorkspaceArgs{
			Name:        pulumi.String("Team (Go)"),
			Description: pulumi.String("Managed by Pulumi, in Go"),
		})
		if err != nil {
			return err
		}
		key, err := portkey.NewApiKey(ctx, "service", &portkey.ApiKeyArgs{
			Type:        pulumi.String("workspace"),
			SubType:     pulumi.String("service"),
			WorkspaceId: team.ID().ToStringOutput(),
			Name:        pulumi.String("team-service"),
			Scopes:      pulumi.StringArray{pulumi.String("completions.write")},
		})
		if err != nil {
			return err
		}
		ctx.Export("workspaceId", team.ID())
		ctx.Export("serviceKey", key.Key)
		return nil
	})
}
