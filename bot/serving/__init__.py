"""Deployment: the launchers (serve.sh, scaled), the balancer's nginx configuration, the shared
stores' settings and lock store, port checks, and Rasa's command line with its patches (runtime)."""
