"""A Portkey workspace and a service API key for it, on the Python SDK
generated from the provider's schema. Needs the plugin pulumi-resource-portkey
(`npx pulumi-ai-gateway install-plugins`); configure `portkey:apiKey` (secret)
first."""

import pulumi
import pulumi_ai_gateway_portkey as portkey

config = pulumi.Config()

team = portkey.Workspace(
    "team",
    name=config.get("teamName") or "Team (Python)",
    description=config.get("teamDescription") or "Managed by Pulumi, in Python",
)

service = portkey.ApiKey(
    "service",
    type="workspace",
    sub_type="service",
    workspace_id=team.id,
    name="team-service",
    scopes=["completions.write"],
)

pulumi.export("workspaceId", team.id)
# A secret: `pulumi stack output serviceKey --show-secrets` prints it.
pulumi.export("serviceKey", service.key)
