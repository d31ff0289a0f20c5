"""The demo: made-up councils, providers, people and packages, and the one-command demo server.

`presets` describes each demo council (Django-free), `people` invents people and addresses,
`seed` writes them to the database, `supervisor` runs the web server and worker together.
"""
