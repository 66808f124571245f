#!/usr/bin/env bash
# Start N `streamlit run` replicas of K-Means Lab on 127.0.0.1 and nginx in front of them.
#
#   deploy/run_replicas.sh [N=3] [LISTEN=127.0.0.1:8080] [RUN_DIR=/tmp/kmlab-replicas] [BASE_PORT=8600]
#
# Replicas listen on 127.0.0.1:BASE_PORT+1 .. BASE_PORT+N; nginx on LISTEN, sticky by cookie
# (deploy/nginx.conf). Every replica shares one t-SNE map folder (KMLAB_CACHE_DIR, default
# RUN_DIR/maps): a map fitted by one is read from disk by the others. Logs and pid files go to
# RUN_DIR. Runs in the foreground until nginx exits; Ctrl-C or SIGTERM stops everything.
set -euo pipefail

N=${1:-3}
LISTEN=${2:-127.0.0.1:8080}
RUN=${3:-/tmp/kmlab-replicas}
BASE=${4:-8600}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}

mkdir -p "$RUN"
export KMLAB_CACHE_DIR=${KMLAB_CACHE_DIR:-$RUN/maps}
mkdir -p "$KMLAB_CACHE_DIR"
# One cookie secret for all replicas (Streamlit signs cookies with it).
SECRET=${KMLAB_COOKIE_SECRET:-$("$PYTHON" -c 'import secrets; print(secrets.token_hex(24))')}

pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop EXIT INT TERM

# One replica, started again whenever it exits (a crash, the kernel's OOM killer): the
# class on the other replicas goes on, and nginx sends new sessions to it once it answers.
supervise() {
    local i=$1 port=$2 child=""
    trap '[[ -n $child ]] && kill "$child" 2>/dev/null; exit 0' TERM INT
    while true; do
        (cd "$ROOT" && STREAMLIT_SERVER_COOKIE_SECRET="$SECRET" exec "$PYTHON" -m streamlit \
            run app.py --server.port "$port" --server.address 127.0.0.1 \
            --server.headless true --server.fileWatcherType none \
            --browser.gatherUsageStats false) >>"$RUN/replica-$i.log" 2>&1 &
        child=$!
        echo "$child" >"$RUN/replica-$i.pid"
        wait "$child" || true
        echo "replica $i (pid $child) exited; starting it again in 1 s" >>"$RUN/replica-$i.log"
        sleep 1
    done
}

upstreams=""
for i in $(seq 1 "$N"); do
    port=$((BASE + i))
    : >"$RUN/replica-$i.log"
    rm -f "$RUN/replica-$i.pid"
    supervise "$i" "$port" &
    pids+=($!)
    upstreams+="        server 127.0.0.1:$port;"$'\n'
done
for i in $(seq 1 "$N"); do
    for _ in $(seq 1 100); do
        [[ -s "$RUN/replica-$i.pid" ]] && break
        sleep 0.1  # the supervisor writes the pid file as it starts the replica
    done
done

for i in $(seq 1 "$N"); do
    port=$((BASE + i))
    for _ in $(seq 1 200); do
        if grep -q "exited; starting it again" "$RUN/replica-$i.log"; then
            echo "replica $i exited at start; see $RUN/replica-$i.log" >&2
            tail -5 "$RUN/replica-$i.log" >&2
            exit 1
        fi
        if "$PYTHON" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2)" 2>/dev/null; then
            break
        fi
        sleep 0.3  # polling a port until the replica answers
    done
done

"$PYTHON" - "$ROOT/deploy/nginx.conf" "$RUN/nginx.conf" "$LISTEN" "$RUN" "$upstreams" <<'PY'
import sys
src, dst, listen, run, upstreams = sys.argv[1:]
text = open(src).read()
text = text.replace("@LISTEN@", listen).replace("@RUN@", run).replace("@UPSTREAMS@", upstreams.rstrip())
open(dst, "w").write(text)
PY

nginx -t -q -c "$RUN/nginx.conf" -p "$RUN"
nginx -c "$RUN/nginx.conf" -p "$RUN" &
pids+=($!)
echo $! >"$RUN/nginx-master.pid"
for _ in $(seq 1 100); do
    if "$PYTHON" -c "import urllib.request; urllib.request.urlopen('http://$LISTEN/_stcore/health', timeout=2)" 2>/dev/null; then
        break
    fi
    sleep 0.2  # polling nginx's port until it answers
done
echo "K-Means Lab: $N replicas behind http://$LISTEN (logs in $RUN)"
wait "${pids[-1]}"
