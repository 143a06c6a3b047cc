#!/usr/bin/env bash
# Load test of the WebSocket streaming path: starts `audioflow serve` (Release), runs `audioflow dial --calls N`
# against it with a flite-voiced caller, samples the server's CPU and memory every second, and prints the verdict.
#   bench/load-streams.sh N [provider] [extra dial args...]      e.g. bench/load-streams.sh 100 twilio
# Not part of ./test.sh. Needs flite (./setup.sh --test). The simulator runs on the same machine and takes CPU too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
calls="${1:?number of calls}"; provider="${2:-twilio}"; shift $(( $# > 1 ? 2 : 1 ))
case "$provider" in twilio) path=twilio/voice ;; telnyx) path=telnyx/texml ;; *) path="$provider/answer" ;; esac
[ "${NO_BUILD:-}" = 1 ] || dotnet build src/AudioFlow.Host -c Release --nologo --verbosity quiet
bin=src/AudioFlow.Host/bin/Release/net10.0/audioflow.dll
work="$(mktemp -d)"; trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
flite -voice rms -t "opening hours please" -o "$work/caller.wav"
port=18181
dotnet "$bin" serve -c "audioflow.http.port=$port" -c akka.loglevel=WARNING >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 60); do grep -q "serving on" "$work/serve.log" && break; sleep 0.5; done
ticks=$(getconf CLK_TCK)
sample() { awk '{print $14+$15}' "/proc/$server/stat"; }
start_cpu=$(sample); start=$(date +%s.%N); peak_rss=0
( while kill -0 $server 2>/dev/null; do
    rss=$(awk '/VmRSS/{print $2}' "/proc/$server/status"); echo "$rss" >> "$work/rss"; sleep 1; done ) &
sampler=$!
dotnet "$bin" dial --provider "$provider" --url "http://127.0.0.1:$port/$path" --wav "$work/caller.wav" \
  --calls "$calls" --ramp-ms 50 --json "$@" > "$work/dial.json" || true
end=$(date +%s.%N); end_cpu=$(sample); kill $sampler 2>/dev/null || true
peak_rss=$(sort -n "$work/rss" | tail -1); idle_rss=$(head -1 "$work/rss")
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).summary;
const [calls, cpuTicks, ticks, wall, idle, peak] = process.argv.slice(2).map(Number);
const cpu = cpuTicks / ticks / wall;
console.log(`${r.calls} concurrent ${process.argv[8]} calls: ${r.completed} completed; reply latency p50 ${r.replyLatencyMs.p50} ms p95 ${r.replyLatencyMs.p95} ms;` +
  ` max frame lateness ${r.maxFrameLatenessMs} ms, ${r.lateFrames} late frames; caller frames lost on the server: ${r.serverFramesLost};` +
  ` server CPU ${(cpu * 100).toFixed(0)}% of one core over ${wall.toFixed(0)} s (${(cpu * 100 / calls).toFixed(2)}% per call);` +
  ` server RSS ${(idle / 1024).toFixed(0)} MB idle, ${(peak / 1024).toFixed(0)} MB peak (${((peak - idle) / 1024 / calls).toFixed(2)} MB per call);` +
  ` ${r.lateFrames === 0 && r.serverFramesLost === 0 && r.completed === r.calls ? "REAL TIME HELD" : "real time NOT held"}`);
const errors = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).calls.flatMap(c => c.errors.concat(c.completed ? [] : ["ended by " + c.endedBy]));
if (errors.length) console.log("first problems: " + [...new Set(errors)].slice(0, 5).join(" | "));
' "$work/dial.json" "$calls" "$((end_cpu - start_cpu))" "$ticks" "$(echo "$end - $start" | bc)" "$idle_rss" "$peak_rss" "$provider"
