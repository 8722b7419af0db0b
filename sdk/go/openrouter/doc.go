// Resources of OpenRouter's management API, served by a native Pulumi provider (pulumi-ai-gateway).
package openrouter
