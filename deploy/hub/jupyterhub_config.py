"""JupyterHub for one class of the Relationship Marketing course.

``tools/hub.py up`` copies this file next to ``settings.json`` (which it
writes) and starts ``jupyterhub -f`` on it; every value that differs between
installations comes from that JSON file, so this file stays as it is.

- Every person is a real Unix user; the hub (root) starts each one's
  JupyterLab as that user (``LocalProcessSpawner``), from the course's shared,
  read-only environment.
- The hub and its proxy listen on loopback only; put a TLS-terminating reverse
  proxy (or The Littlest JupyterHub's Traefik) in front to open it to a class.
- The instructor is the hub's only admin and the only user whose Formgrader
  is enabled (see ``tools/hub.py``); the nbgrader exchange is
  :mod:`rmlib.grading.exchange`, set in the environment's nbgrader config.
"""

import json
import os

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "settings.json"), encoding="utf-8") as fh:
    settings = json.load(fh)

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = settings["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [settings["proxy_command"]]
c.JupyterHub.db_url = "sqlite:///" + os.path.join(here, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(here, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(here, "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# Who may log in: PAM checks each person's Unix password.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(settings["students"]) | {settings["instructor"]}
c.Authenticator.admin_users = {settings["instructor"]}
c.Authenticator.delete_invalid_users = True

# One token, for the operator's scripts (and the end-to-end test): it may manage users,
# start and stop their servers and issue them tokens.
if settings.get("api_token"):
    c.JupyterHub.services = [{"name": "course-operator", "api_token": settings["api_token"]}]
    c.JupyterHub.load_roles = [
        {
            "name": "course-operator",
            "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"],
            "services": ["course-operator"],
        }
    ]

c.Spawner.cmd = [os.path.join(settings["env"], "bin", "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PATH": os.pathsep.join(
        [os.path.join(settings["env"], "bin"), "/usr/local/bin", "/usr/bin", "/bin"]
    ),
    "RM_EXCHANGE_ROOT": settings["exchange"],
    "RM_COURSE_ID": settings["course_id"],
}
