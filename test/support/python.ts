/** The tests' Python environment is the release's (scripts/python-env.ts): one cached venv. */
export { PYTHON_PACKAGES, pythonEnv } from "../../scripts/python-env";
