"""`python -m agentcore` runs the command line."""

from agentcore.cli import main

main()
