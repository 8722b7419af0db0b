/**
 * API key scope names Portkey documents. `ApiKey` rejects others at preview
 * unless `allowUnknownScopes` is set (for scopes newer than this list).
 */
const crud = (prefix: string, actions = ["create", "read", "update", "delete", "list"]) => actions.map((a) => `${prefix}.${a}`);

export function knownPortkeyScopes(): ReadonlySet<string> {
  return new Set([
    ...crud("organisation_users"),
    ...crud("organisation_service_api_keys", ["create", "read", "update", "delete", "list", "rotate"]),
    "organisation_settings.read",
    "organisation_settings.update",
    ...crud("organisation_guardrails"),
    "organisation_exclusions.update",
    "organisation_exclusions.list",
    "audit_logs.list",
    ...crud("plugins", ["create", "update", "list"]),
    ...crud("deployments"),
    ...crud("secret_references"),
    "organisations.read",
    ...crud("workspaces"),
    ...crud("workspace_service_api_keys", ["create", "read", "update", "delete", "list", "rotate"]),
    ...crud("workspace_user_api_keys", ["create", "read", "update", "delete", "list", "rotate"]),
    ...crud("workspace_users"),
    ...crud("prompts", ["create", "read", "update", "delete", "list", "publish", "render"]),
    ...crud("configs"),
    ...crud("guardrails", ["create", "read", "update", "delete", "list", "invoke"]),
    ...crud("virtual_keys", ["create", "read", "update", "delete", "list", "duplicate", "copy"]),
    ...crud("providers"),
    ...crud("policies"),
    ...crud("organisation_integrations"),
    ...crud("organisation_mcp_integrations"),
    ...crud("organisation_agent_integrations"),
    ...crud("workspace_integrations"),
    ...crud("workspace_mcp_integrations"),
    ...crud("workspace_agent_integrations"),
    ...crud("agent_servers"),
    ...crud("mcp_servers"),
    "mcp.invoke",
    "agents.invoke",
    "analytics.view",
    "logs.export",
    "logs.list",
    "logs.view",
    "logs.write",
    "completions.write",
    "generations.create",
  ]);
}
