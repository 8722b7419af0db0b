"""A stand-in Python language host for the Pulumi engine, for machines where
the real one (pulumi-language-python, a Go program) cannot be built: its Go
module is not served by the module proxy here. It speaks the LanguageRuntime
gRPC protocol with the stubs the `pulumi` package from PyPI ships, and runs a
program the way the Pulumi Python SDK expects to be run: its settings and
config from the engine, the program's `__main__.py` inside the SDK's stack.

What it does not do (the real host does): create or use a virtualenv or any
toolchain other than the Python it runs in (the program's `virtualenv` option
is honoured only as a directory whose bin/python runs the program), install
dependencies, report the program's required plugins, generate code (`pulumi
import` and `pulumi convert` code generation), templates, packing, debugging.

    host.py [flags] <engine address>     serve the engine (what the engine starts)
    host.py --run-program <args...>      run one program (what Run starts)
"""

import json
import os
import subprocess
import sys
from concurrent import futures

# The program already showed its error to the user: the engine should only stop.
ALREADY_REPORTED = 32


def serve(engine_address):
    import grpc
    from importlib.metadata import version
    from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

    class LanguageRuntime(language_pb2_grpc.LanguageRuntimeServicer):
        def Handshake(self, request, context):
            return language_pb2.LanguageHandshakeResponse()

        def GetPluginInfo(self, request, context):
            return plugin_pb2.PluginInfo(version=version("pulumi"))

        def GetRequiredPlugins(self, request, context):
            return language_pb2.GetRequiredPluginsResponse()

        def GetRequiredPackages(self, request, context):
            return language_pb2.GetRequiredPackagesResponse()

        def GetProgramDependencies(self, request, context):
            return language_pb2.GetProgramDependenciesResponse()

        def About(self, request, context):
            return language_pb2.AboutResponse(executable=sys.executable, version=sys.version.split()[0])

        def InstallDependencies(self, request, context):
            return iter(())

        def Run(self, request, context):
            info = request.info
            program_directory = info.program_directory or request.pwd or os.getcwd()
            root_directory = info.root_directory or program_directory
            entry_point = info.entry_point or request.program or "."
            options = dict(info.options.items()) if info.HasField("options") else {}
            python = sys.executable
            virtualenv = options.get("virtualenv")
            if isinstance(virtualenv, str) and virtualenv:
                python = os.path.join(root_directory, virtualenv, "bin", "python")
            args = [
                python, os.path.abspath(__file__), "--run-program",
                "--monitor", request.monitor_address,
                "--engine", engine_address,
                "--project", request.project,
                "--stack", request.stack,
                "--organization", request.organization,
                "--root-directory", root_directory,
                "--parallel", str(request.parallel),
                "--dry-run", "true" if request.dryRun else "false",
                "--pwd", program_directory,
                entry_point, *request.args,
            ]
            env = dict(os.environ)
            env["PULUMI_CONFIG"] = json.dumps(dict(request.config.items()))
            env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
            code = subprocess.call(args, cwd=program_directory, env=env, stdin=subprocess.DEVNULL)
            if code == ALREADY_REPORTED:
                return language_pb2.RunResponse(bail=True)
            if code != 0:
                return language_pb2.RunResponse(error=f"Program exited with code {code}")
            return language_pb2.RunResponse()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(LanguageRuntime(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        # The engine interrupts its hosts when it is done with them.
        server.stop(grace=None)


def run_program(argv):
    import argparse
    import asyncio
    import runpy
    import traceback

    parser = argparse.ArgumentParser(prog="host.py --run-program")
    for flag in ("--monitor", "--engine", "--project", "--stack", "--organization", "--root-directory", "--parallel", "--dry-run", "--pwd"):
        parser.add_argument(flag)
    parser.add_argument("program")
    parser.add_argument("args", nargs="*")
    args = parser.parse_args(argv)

    import pulumi
    import pulumi.runtime

    pulumi.runtime.set_all_config(pulumi.runtime.get_config_env(), pulumi.runtime.get_config_secret_keys_env())
    pulumi.runtime.configure(
        pulumi.runtime.Settings(
            monitor=args.monitor,
            engine=args.engine,
            project=args.project,
            stack=args.stack,
            parallel=int(args.parallel),
            dry_run=args.dry_run == "true",
            organization=args.organization or None,
            root_directory=args.root_directory,
        )
    )
    os.chdir(args.pwd)
    sys.argv = [args.program, *args.args]
    sys.path.insert(0, os.path.abspath(args.program if os.path.isdir(args.program) else os.path.dirname(args.program) or "."))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        # A directory runs its __main__.py, as `python <dir>` does.
        loop.run_until_complete(pulumi.runtime.run_in_stack(lambda: runpy.run_path(args.program, run_name="__main__")))
    except pulumi.RunError as error:
        pulumi.log.error(str(error))
        return 1
    except Exception:  # noqa: BLE001 -- any failure of the program is reported to the engine, whole
        pulumi.log.error("Program failed with an unhandled exception:\n" + traceback.format_exc())
        return ALREADY_REPORTED
    finally:
        loop.close()
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run-program"]:
        sys.exit(run_program(sys.argv[2:]))
    # The engine passes flags (e.g. --tracing) and, last, its own address.
    positional = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    serve(positional[-1] if positional else "")
