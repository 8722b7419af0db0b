// Resources of the Portkey Admin API, served by a native Pulumi provider (pulumi-ai-gateway).
package portkey
