#!/usr/bin/env bash
# The file headers say what each file is and where its code runs (docs/ARCHITECTURE.md, "Where
# code runs"): every C file of shim/, tools/ and tests/unit/ opens with "/* NAME.c - ...", its
# own name; every shim/*.c has, in that opening comment, one line " * Runs in: CONTEXTS." with
# contexts from the fixed list, and the restricted contexts' rule where it names one; the
# document lists, per restricted context and for "any (pure)", the files whose headers name it.
# Pure shell and one awk run: no build, no opencode, well under a second. OCSHIM_ROOT=DIR checks
# another tree (a copy with a header broken on purpose must fail).
set -u
shopt -s globstar nullglob
ROOT=${OCSHIM_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
TEST_NAME=test_headers
PASS=0 FAIL=0

VOCAB="SIGSYS handler|SIGINT handler|vfork child|host threads|worker thread|load time|any (pure)"
RESTRICTED="SIGSYS handler|SIGINT handler|vfork child"
LISTED="$RESTRICTED|any (pure)"   # the contexts whose files docs/ARCHITECTURE.md lists
RULE=' * Restricted contexts: no allocation, no locks a signal could leave held, no loader calls.'

# Every problem, one a line: "CHECK<tab>what", CHECK naming the check below it belongs to.
problems=$(awk -v vocab="$VOCAB" -v restricted="$RESTRICTED" -v listed_ctx="$LISTED" -v rule="$RULE" '
function base(p) { sub(/.*\//, "", p); return p }
BEGIN {
    nv = split(vocab, v, "|")
    for (i = 1; i <= nv; i++) { known[v[i]] = 1; words = words (i > 1 ? ", " : "") v[i] }
    nr = split(restricted, r, "|"); for (i = 1; i <= nr; i++) isr[r[i]] = 1
    nl = split(listed_ctx, l, "|"); for (i = 1; i <= nl; i++) isl[l[i]] = 1
}
FNR == 1 {
    shim = FILENAME ~ /^shim\/[^\/]*\.c$/
    doc = FILENAME == "docs/ARCHITECTURE.md"
    opening = !doc
    if (!doc && index($0, "/* " base(FILENAME) " - ") != 1)
        print "names\t" FILENAME ": does not open with \"/* " base(FILENAME) " - ...\""
    if (shim) { shims[++ns] = FILENAME; lines[FILENAME] = 0; rules[FILENAME] = 0 }
}
shim && /^ \* Runs in: / {
    lines[FILENAME]++
    if (!opening || $0 !~ /\.$/)
        print "line\t" FILENAME ": its \" * Runs in: \" line is outside its opening comment, or does not end with \".\""
    else if (lines[FILENAME] == 1)
        runs[FILENAME] = substr($0, 13, length($0) - 13)
}
shim && opening && $0 == rule { rules[FILENAME]++ }
!doc && opening && index($0, "*/") { opening = 0 }
doc && /^## / { section = ($0 == "## Where code runs"); if (section) seen_section = 1 }
# "- CONTEXT: `a.c`, `b.c`", continued on lines indented by two spaces.
doc && section && /^- / {
    ctx = ""
    if (match($0, /^- [^`:]+: /) && (substr($0, 3, RLENGTH - 4) in isl))
        ctx = substr($0, 3, RLENGTH - 4)
}
doc && section && !/^- / && !/^  / { ctx = "" }
doc && section && ctx != "" {
    rest = $0
    while (match(rest, /`[a-z_0-9]+\.c`/)) {
        listed[ctx, substr(rest, RSTART + 1, RLENGTH - 2)] = 1
        rest = substr(rest, RSTART + RLENGTH)
    }
}
END {
    for (i = 1; i <= ns; i++) {
        f = shims[i]
        if (lines[f] != 1) { print "line\t" f ": " lines[f] " \" * Runs in: \" lines, not one"; continue }
        if (!(f in runs)) continue
        nc = split(runs[f], c, ", ")
        if (nc == 0) print "vocab\t" f ": no contexts"
        hasr = 0
        delete once
        for (j = 1; j <= nc; j++) {
            if (!(c[j] in known)) print "vocab\t" f ": \"" c[j] "\" is not one of: " words
            if (c[j] in once) print "vocab\t" f ": \"" c[j] "\" named twice"
            once[c[j]] = 1
            if (c[j] in isr) hasr = 1
            if (c[j] in isl) names[c[j], base(f)] = 1
        }
        if (hasr && rules[f] != 1)
            print "rule\t" f ": runs in a restricted context but lacks the line \"" rule "\""
        if (!hasr && rules[f])
            print "rule\t" f ": states the restricted contexts\047 rule but runs in none of them"
    }
    if (!seen_section) { print "doc\tdocs/ARCHITECTURE.md: no section \"## Where code runs\""; exit }
    for (k in names) {
        split(k, p, SUBSEP)
        if (!(k in listed)) print "doc\tdocs/ARCHITECTURE.md: \"- " p[1] ":\" lacks `" p[2] "`, whose header names it"
    }
    for (k in listed) {
        split(k, p, SUBSEP)
        if (!(k in names)) print "doc\tdocs/ARCHITECTURE.md: \"- " p[1] ":\" lists `" p[2] "`, whose header does not name it"
    }
}' shim/*.c tools/**/*.c tests/unit/*.c docs/ARCHITECTURE.md </dev/null) || problems="names	awk failed"

# check ID NAME: ok when no problem carries ID, else FAIL and the problems.
check() {
    local id=$1 name=$2 line found=""
    while IFS= read -r line; do
        [ "${line%%	*}" = "$id" ] && found+="       ${line#*	}"$'\n'
    done <<<"$problems"
    if [ -z "$found" ]; then PASS=$((PASS + 1)); printf '  ok   %s\n' "$name"
    else FAIL=$((FAIL + 1)); printf '  FAIL %s\n%s' "$name" "$found"; fi
}

check names "every C file of shim/, tools/, tests/unit/ opens with '/* NAME.c - ...', its own name"
check line "every shim/*.c has one ' * Runs in: CONTEXTS.' line, in its opening comment"
check vocab "... naming contexts from the list only, each once"
check rule "... and, where it names a handler or the vfork child, the restricted contexts' rule"
check doc "docs/ARCHITECTURE.md lists the restricted contexts' files and the pure ones as the headers do"
echo "$TEST_NAME: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
