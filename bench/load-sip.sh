#!/usr/bin/env bash
# Load test of the SIP trunk path: starts `audioflow serve` (Release) with SIP on loopback, runs sipp
# (uac_pcmu_rtpstream.xml from ../shared/sip: INVITE, 8 kHz µ-law RTP both ways, BYE after ~6 s; the caller's audio is
# ../shared/sip/audio/hello.ul after 1.5 s of silence, so that callers speak after the greeting has started, as real
# callers do) at a steady call rate
# so that N calls are up at once, samples the server's CPU and memory, and prints the verdict from the server's own
# counters: every call answered and completed; 0 frames the jitter buffer had to report lost, 0 packets that arrived
# too late to play, 0 caller frames delivered more than 60 ms late (GET /api/sip/calls); 0 late agent frames
# (GET /api/calls/recent: more than 60 ms behind their pacing slot).
#   bench/load-sip.sh N [calls]        N concurrent calls (default total: 3 × N, so the plateau lasts ~2 call lengths)
# Not part of ./test.sh. Needs sipp (apt-get install sip-tester) and ../shared/sip. sipp runs on the same machine and
# takes CPU too. Environment: NO_BUILD=1 skips the build, CONFIGURATION=Debug uses that build; SIP_PORT, HTTP_PORT
# pick the ports (15090, 18183).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n="${1:?number of concurrent calls}"; total="${2:-$((3 * n))}"
shared="$(cd .. && pwd)/shared/sip"
[ -f "$shared/scenarios/uac_pcmu_rtpstream.xml" ] || { echo "load-sip: $shared/scenarios missing" >&2; exit 2; }
command -v sipp >/dev/null || { echo "load-sip: sipp missing (apt-get install -y --no-install-recommends sip-tester)" >&2; exit 2; }
configuration="${CONFIGURATION:-Release}"
[ "${NO_BUILD:-}" = 1 ] || dotnet build src/AudioFlow.Host -c "$configuration" --nologo --verbosity quiet
bin=src/AudioFlow.Host/bin/$configuration/net10.0/audioflow.dll
sip_port="${SIP_PORT:-15090}"; http_port="${HTTP_PORT:-18183}"
work="$(mktemp -d)"
server=""; sampler=""
cleanup() { [ -n "$sampler" ] && kill "$sampler" 2>/dev/null; [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; if [ "${KEEP:-}" = 1 ]; then echo "load-sip: files kept in $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
dotnet "$bin" serve -c "audioflow.http.port=$http_port" -c akka.loglevel=WARNING \
  -c "audioflow.sip.udp=[\"127.0.0.1:$sip_port\"]" -c "audioflow.sip.tcp=[]" \
  -c "audioflow.journal.sqlite-file=\"$work/journal.db\"" >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 120); do grep -q "serving on" "$work/serve.log" && break; kill -0 $server 2>/dev/null || { cat "$work/serve.log"; exit 1; }; sleep 0.5; done
grep -q "SIP on UDP 127.0.0.1:$sip_port" "$work/serve.log" || { echo "load-sip: SIP did not start:"; cat "$work/serve.log"; exit 1; }
ticks=$(getconf CLK_TCK)
sample() { awk '{print $14+$15}' "/proc/$server/stat"; }
( while kill -0 $server 2>/dev/null; do
    echo "$(awk '/VmRSS/{print $2}' "/proc/$server/status") $(curl -s "http://127.0.0.1:$http_port/api/sip" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).activeCalls)}catch{console.log(0)}})')" >> "$work/samples"
    sleep 1; done ) &
sampler=$!
# One call lasts ~6.5 s (6 s of RTP, then BYE): N concurrent calls need N / 6.5 calls per second.
rate=$(node -e "console.log((Math.max(1, $n) / 6.5).toFixed(2))")
mkdir -p "$work/sip/scenarios" "$work/sip/audio"
cp "$shared/scenarios/uac_pcmu_rtpstream.xml" "$work/sip/scenarios/"
{ head -c 12000 /dev/zero | tr '\0' '\377'; cat "$shared/audio/hello.ul"; } > "$work/sip/audio/hello.ul"
machine() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8, $5+$6}' /proc/stat; }
start_cpu=$(sample); start=$(date +%s.%N); read -r start_all start_idle < <(machine)
( cd "$work/sip" && timeout $((total * 10 / (n > 0 ? n : 1) + 120)) sipp -sf scenarios/uac_pcmu_rtpstream.xml -t u1 -i 127.0.0.1 -p 15091 \
    -mi 127.0.0.1 -mp 40000 -s service -r "$rate" -l "$n" -m "$total" -nostdin -nd -timeout 600s "127.0.0.1:$sip_port" >"$work/sipp.out" 2>&1 ) || true
end=$(date +%s.%N); end_cpu=$(sample); read -r end_all end_idle < <(machine)
busy=$(node -e "console.log((100 * (1 - ($end_idle - $start_idle) / ($end_all - $start_all))).toFixed(0))")
sleep 3 # the last calls' reports
kill $sampler 2>/dev/null || true; sampler=""
curl -s "http://127.0.0.1:$http_port/api/sip/calls" >"$work/sip.json"
curl -s "http://127.0.0.1:$http_port/api/sip" >"$work/status.json"
curl -s "http://127.0.0.1:$http_port/api/calls/recent?limit=1000" >"$work/reports.json"
node -e '
const fs = require("fs");
const [dir, n, total, cpuTicks, ticks, wall, busy] = process.argv.slice(1);
const sip = JSON.parse(fs.readFileSync(dir + "/sip.json", "utf8")).recent;
const reports = JSON.parse(fs.readFileSync(dir + "/reports.json", "utf8")).filter(r => r.transport === "sip");
const clock = JSON.parse(fs.readFileSync(dir + "/status.json", "utf8")).mediaClock;
const samples = fs.readFileSync(dir + "/samples", "utf8").trim().split("\n").map(l => l.split(" ").map(Number));
const sum = k => sip.reduce((a, c) => a + (c.media ? c.media[k] : 0), 0);
const max = k => sip.reduce((a, c) => Math.max(a, c.media ? c.media[k] : 0), 0);
const sipp = fs.readFileSync(dir + "/sipp.out", "utf8");
const ok = (sipp.match(/Successful call\s*\|\s*\d+\s*\|\s*(\d+)/) || [])[1] || "?";
const failed = (sipp.match(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/) || [])[1] || "?";
const peak = Math.max(...samples.map(s => s[1] || 0));
const rss = samples.map(s => s[0]);
const cpu = Number(cpuTicks) / Number(ticks) / Number(wall);
const callerHungUp = sip.filter(c => c.endReason === "caller hung up").length;
const agentLate = reports.reduce((a, r) => a + r.frames.agentLate, 0);
const framesLostInCall = reports.reduce((a, r) => a + r.frames.lost, 0);
const held = failed === "0" && Number(ok) === Number(total) && sum("framesLost") === 0 && sum("latePackets") === 0 && sum("lateTicks") === 0 && agentLate === 0 && framesLostInCall === 0;
// late everywhere = more than 60 ms behind schedule (the playout budget of the pipeline, PacedPlayoutStage.LateThreshold)
console.log(`${n} concurrent SIP calls (${total} calls, sipp rate ${(Number(n) / 6.5).toFixed(2)}/s, peak ${peak} up at once): sipp ${ok} ok / ${failed} failed; ` +
  `server: ${callerHungUp} ended by the caller; jitter buffer: ${sum("framesLost")} frames lost, ${sum("latePackets")} late packets, ${sum("packetsLost")} packets lost on the wire, ` +
  `${sum("underruns")} underruns, max jitter ${max("jitterMs")} ms; media clock: ${clock.lateTicks} of ${clock.ticks} ticks > 20 ms late (max ${clock.maxLatenessMs} ms, tick work max ${clock.maxTickWorkMs} ms), caller frames delivered > 60 ms late ${sum("lateTicks")} (max delay ${max("maxDeliveryDelayMs")} ms); agent frames ${sum("framesSent")} sent, ${agentLate} late, ` +
  `${sum("lateSends")} sent after their slot; caller frames lost in the pipeline ${framesLostInCall}; ` +
  `server CPU ${(cpu * 100).toFixed(0)}% of one core over ${Number(wall).toFixed(0)} s (${(cpu * 100 / Number(n)).toFixed(2)}% per call); ` +
  `machine (server + sipp) ${busy}% busy; RSS ${(rss[0] / 1024).toFixed(0)} MB idle, ${(Math.max(...rss) / 1024).toFixed(0)} MB peak; ${held ? "REAL TIME HELD" : "real time NOT held"}`);
' "$work" "$n" "$total" "$((end_cpu - start_cpu))" "$ticks" "$(echo "$end - $start" | bc)" "$busy"
