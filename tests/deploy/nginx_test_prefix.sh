# shellcheck shell=bash
#
# Sourced by the nginx checks and the nginx benchmark: deploy/nginx/pledged.conf
# rendered into a temporary prefix, so that nginx can test or run it as any
# user without touching /etc, /var or privileged ports.
#
#   nginx_prefix_render ROOT WORK UPSTREAM_A UPSTREAM_B [HTTP_PORT HTTPS_PORT]
#
# writes WORK/nginx.conf (including WORK/etc/pledged.conf), a throwaway
# self-signed certificate for donate.example.org, and WORK/{cache,log,www,tmp}.
# UPSTREAM_A/B replace compose's pledged-a:8080/pledged-b:8080 (host:port).
# With the two ports, the listen lines move to 127.0.0.1 on those ports.

nginx_prefix_render() {
    local root=$1 work=$2 upstream_a=$3 upstream_b=$4 http_port=${5:-} https_port=${6:-}
    mkdir -p "$work/etc/tls" "$work/cache" "$work/log" "$work/www" "$work/tmp"
    # nginx workers may run as an unprivileged user: let them through.
    chmod 755 "$work"
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=donate.example.org" \
        -keyout "$work/etc/tls/privkey.pem" -out "$work/etc/tls/fullchain.pem" 2>/dev/null

    local -a listen_edits=()
    if [[ -n $http_port ]]; then
        listen_edits=(-e "s#^\(\s*\)listen 80;#\1listen 127.0.0.1:$http_port;#"
                      -e "s#^\(\s*\)listen 443 ssl http2;#\1listen 127.0.0.1:$https_port ssl http2;#"
                      -e "/^\s*listen \[::\]:/d")
    fi
    sed -e "s#/etc/nginx/#$work/etc/#g" \
        -e "s#/var/cache/nginx/#$work/cache/#g" \
        -e "s#/var/log/nginx/#$work/log/#g" \
        -e "s#/var/www/#$work/www/#g" \
        -e "s#server pledged-a:8080#server $upstream_a#" \
        -e "s#server pledged-b:8080#server $upstream_b#" \
        "${listen_edits[@]}" \
        "$root/deploy/nginx/pledged.conf" >"$work/etc/pledged.conf"

    cat >"$work/nginx.conf" <<NGINX
pid $work/nginx.pid;
error_log $work/log/error.log;
worker_processes auto;
events { worker_connections 1024; }
http {
    # Debian's compiled-in temp paths are under /var/lib/nginx.
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    include $work/etc/pledged.conf;
}
NGINX
}

# Every file path in the rendered configuration lies inside WORK.
nginx_prefix_paths_contained() {
    local work=$1 directive path
    while read -r directive path; do
        [[ $path == "$work"/* ]] || { echo "path outside the test prefix: $directive $path" >&2; return 1; }
    done < <(grep -E '^\s*(proxy_cache_path|ssl_certificate|ssl_certificate_key|access_log|error_log|root|include)\s' \
        "$work/etc/pledged.conf" | awk '{print $1, $2}' | tr -d ';')
}

# nginx with the rendered configuration: nginx_prefix_run WORK [ARGS...] (e.g. -t, -s stop).
nginx_prefix_run() {
    local work=$1
    shift
    nginx -p "$work/" -c "$work/nginx.conf" -e "$work/log/error.log" "$@"
}

# A TCP port that was free a moment ago on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
