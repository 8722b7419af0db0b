@rem The openrouter provider plugin on Windows, where the engine runs .exe or .cmd plugins: Node runs the launcher beside this file.
@node "%~dp0pulumi-resource-openrouter" %*
