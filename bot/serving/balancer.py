"""The nginx configuration of the scaled mode (bot/serving/scaled.py writes it into its run directory).

Why nginx: it is the reverse proxy Debian ships (`apt-get install nginx`, security updates with
the system), the one the WeChat and Rasa deployment guides assume in front of a web service,
and it already does what this needs — round robin over the replicas, passive health checks,
retrying a request that could not be delivered on the next replica, and TLS when the official
account's URL is served from here. HAProxy would do as well; a balancer written in Python
would be one more thing to maintain and would share the two cores with Rasa.

Choices that matter for residents' messages:

- Round robin, no stickiness: any replica can answer any resident, because the conversation
  is in PostgreSQL and Redis orders a resident's messages (the lock store).
- No keep-alive to the replicas: a request is sent on a fresh loopback connection, so a replica
  that has died is seen at connect time (refused) and nginx tries the next one. A request
  already sent is never re-sent (``proxy_next_upstream`` without ``non_idempotent``): a
  message is processed at most once, and only the messages in flight on a dying replica fail.
- No failure marks (``max_fails=0``): every request may try every replica. With nginx's
  passive health check (``max_fails=1 fail_timeout=5s`` before), one refused connection —
  a replica still starting when the launcher probed nginx, or one being restarted — marked it
  down for 5 s; if the other replica died in those seconds, nginx had no replica left to
  try and answered 502 ("no live upstreams") to messages sent well after the dead replica's
  socket had closed (the flaky ``test_a_replica_killed_during_a_load_run``; reproduced
  deterministically in tests/test_balancer.py). On loopback a dead replica refuses at once,
  so trying it first costs a fraction of a millisecond before nginx moves on.
- Nothing to answer with (no replica could take the message, or the one that had it died):
  503 with Retry-After and the channels' "busy" sentence, as the replicas answer when Redis
  is away for longer than a message may wait (bot/channels/outage.py). A replica's own 503
  passes through unchanged.
- ``X-Real-IP`` carries the caller's address (the staff console throttles logins by it).
"""

from __future__ import annotations

import json
import pathlib

from bot.channels.wechat_text import BUSY

RETRY_AFTER = 5  # seconds: a replica restarts, or Redis comes back, in about that

TEMPLATE = """\
# written by bot/serving/scaled.py; edits are overwritten at the next start
worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log {run}/logs/nginx-error.log warn;

events {{
    worker_connections 1024;
}}

http {{
    log_format balanced '$remote_addr [$time_local] "$request" $status '
                        'upstream=$upstream_addr time=$request_time';
    access_log {run}/logs/nginx-access.log balanced;
    client_body_temp_path {run}/tmp/client_body;
    proxy_temp_path {run}/tmp/proxy;
    fastcgi_temp_path {run}/tmp/fastcgi;
    uwsgi_temp_path {run}/tmp/uwsgi;
    scgi_temp_path {run}/tmp/scgi;
    # bodies and answers stay in memory: nothing is written to disk, so the run directory
    # need not be writable by nginx's worker user (tracker JSON to the action server is ~100 kB)
    client_max_body_size 1m;
    client_body_buffer_size 1m;
    proxy_buffer_size 64k;
    proxy_buffers 16 64k;
    proxy_max_temp_file_size 0;
    server_tokens off;

    upstream rasa_replicas {{
{replicas}
    }}

    upstream action_servers {{
{actions}
    }}

    server {{
        listen 127.0.0.1:{rasa_port};
        location / {{
            proxy_pass http://rasa_replicas;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_connect_timeout 2s;
            proxy_read_timeout 65s;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries {tries};
            # no replica could take the message: "try again shortly", not a bare 502
            error_page 502 504 = @unavailable;
        }}
        location @unavailable {{
            default_type "application/json; charset=utf-8";
            add_header Retry-After {retry_after} always;
            return 503 '{unavailable}';
        }}
    }}

    server {{
        listen 127.0.0.1:{action_port};
        location / {{
            proxy_pass http://action_servers;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_connect_timeout 2s;
            proxy_read_timeout 65s;
            proxy_next_upstream error timeout http_502 http_503;
        }}
    }}
}}
"""


def _servers(ports: list[int]) -> str:
    # max_fails=0: never marked down (see "No failure marks" above)
    return "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in ports)


def nginx_config(
    run_dir: pathlib.Path,
    rasa_port: int,
    replica_ports: list[int],
    action_port: int,
    action_ports: list[int],
) -> str:
    return TEMPLATE.format(
        run=run_dir.resolve(),
        rasa_port=rasa_port,
        replicas=_servers(replica_ports),
        action_port=action_port,
        actions=_servers(action_ports),
        tries=len(replica_ports),
        retry_after=RETRY_AFTER,
        unavailable=json.dumps({"error": BUSY}, ensure_ascii=False).replace("'", "\\'"),
    )
