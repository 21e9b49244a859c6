#!/bin/bash
# usage: mutate.sh file 'python-replace-old' 'new'
f=$1; cp $f /tmp/cmp/backup
python3 - "$f" "$2" "$3" <<'PY'
import sys
p,old,new=sys.argv[1:4]
s=open(p).read()
assert old in s, "pattern not found: "+old
s=s.replace(old,new,1)
open(p,'w').write(s)
PY
timeout 600 npx vitest run --config test/vitest.config.ts test/explore/differential.test.ts test/explore/compile.test.ts test/explore/differential-walks.test.ts 2>&1 | grep -E "Tests " | tail -1
cp /tmp/cmp/backup $f
