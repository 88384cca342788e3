# mon.sh PID OUT: every second, the ingest's RssAnon/RssFile (kB) and its children's VmRSS
while kill -0 $1 2>/dev/null; do
  l="$(date +%s) $(grep -E 'RssAnon|RssFile' /proc/$1/status 2>/dev/null | awk '{printf "%s ", $2}')"
  for k in $(pgrep -P $1); do l="$l k$(grep VmRSS /proc/$k/status 2>/dev/null | awk '{print $2}')"; done
  echo "$l" >> $2; sleep 1
done
