#!/usr/bin/env bash
# What users of command-line tools expect, checked against the programs themselves: --version
# gives the Makefile's VERSION; the manual pages document every option of every --help (each
# `ocshim COMMAND --help` too, one .SS section per command of `ocshim --commands`) and every
# documented option exists (tried: `PROG OPTION [ARG] --help` must be accepted); the variables
# the code reads are in a manual page; the kitty.conf lines are the same in the README,
# `ocshim doctor`, `ocshim-restore --help` and ocshim-restore(1); the bash completion offers
# the commands and options; install/uninstall place and remove the pages and completions.
# Driven by the help texts: a new command or option fails here until it is documented.
# No opencode, no tmux server, no kitty: a second or two.
source "$(dirname "$0")/lib.sh"
export HOME=$W/home OCSHIM_STATE_DIR=$W/state XDG_CONFIG_HOME= KITTY_CONFIG_DIRECTORY=
unset LD_PRELOAD KITTY_LISTEN_ON
mkdir -p "$HOME" "$W/bin"
OC=$ROOT/build/ocshim RS=$ROOT/build/ocshim-restore MAN=$ROOT/docs/man
# The options of a --help text, by the completions' own rule (tools/completions/ocshim.bash).
source "$ROOT/tools/completions/ocshim.bash"

# --- --version --------------------------------------------------------------------------------
V=$(sed -n 's/^VERSION *:= *\([^ ]*\) *$/\1/p' "$ROOT/Makefile")
ok "the Makefile defines VERSION once ($V)" test -n "$V" -a "$(grep -c '^VERSION *:=' "$ROOT/Makefile")" = 1
ok "ocshim --version: ocshim $V" test "$("$OC" --version 2>&1)" = "ocshim $V"
ok "ocshim-restore --version: ocshim-restore $V" test "$("$RS" --version 2>&1)" = "ocshim-restore $V"
CMDS=$("$OC" --commands 2>/dev/null)
ok "ocshim --commands lists commands" test -n "$CMDS"
for c in $CMDS; do
    ok "ocshim $c --version: ocshim $V" test "$("$OC" "$c" --version 2>&1)" = "ocshim $V"
done

# --- bad usage: one line naming the word and where to look, exit status 2 -------------------------
# one_line_usage PROG...: the command exits 2 with one stderr line that points to --help.
one_line_usage() {
    local err rc
    err=$("$@" 2>&1 >/dev/null); rc=$?
    [ "$rc" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && [[ $err == *"--help)"* ]] ||
        { log "$*: exit $rc, stderr:"; printf '%s\n' "$err" | head -n 5; return 1; }
}
ok "ocshim-restore --no-such-option: one line, exit 2" one_line_usage "$RS" --no-such-option
ok "ocshim-restore -x (an unknown short option): one line, exit 2" one_line_usage "$RS" -x
ok "ocshim-restore --to (no argument): one line, exit 2" one_line_usage "$RS" --to
ok "ocshim-restore with a stray argument: one line, exit 2" one_line_usage "$RS" --dry-run stray
ok "ocshim-restore -S '': one line, exit 2" one_line_usage "$RS" -S ''
ok "ocshim-restore -L and -S: one line, exit 2" one_line_usage "$RS" -L a -S b
ok "ocshim-restore --to '': one line, exit 2" one_line_usage "$RS" --to ''
ok "ocshim --no-such-option: one line, exit 2" one_line_usage "$OC" --no-such-option
for c in $CMDS; do
    ok "ocshim $c --no-such-option: one line, exit 2" one_line_usage "$OC" "$c" --no-such-option
done

# --- manual pages against --help ----------------------------------------------------------------
# man_opts PAGE SH [SS]: "OPTION ARG?" per .TP entry of section SH (and subsection SS), one a
# line; ARG is 1 when the entry names an argument after the option.
man_opts() {
    awk -v sh="$2" -v ss="${3:-}" '
    /^\.SH / { cur = $2; gsub(/"/, "", cur); sub_ = ""; next }
    /^\.SS / { sub_ = $2; next }
    /^\.TP/ { tag = 1; next }
    tag { tag = 0
          if (cur != sh || sub_ != ss) next
          l = $0; gsub(/\\f[BIRP]/, "", l); gsub(/\\-/, "-", l); gsub(/^\.[A-Z]+ /, "", l); gsub(/"/, "", l)
          n = split(l, w, /[ ,]+/)
          for (i = 1; i <= n; i++) if (w[i] ~ /^--?[A-Za-z][A-Za-z0-9-]*$/)
              print w[i], (i < n && w[i + 1] !~ /^-/ && w[i + 1] != "") ? 1 : 0 }' "$1"
}
# inlist WORD LIST: WORD is one of the lines of LIST (no process: this runs per option).
inlist() { [[ $'\n'$2$'\n' == *$'\n'"$1"$'\n'* ]]; }
# both_ways WHAT HELP-OPTIONS MAN-OPTIONS: one check per option, each way.
both_ways() {
    local what=$1 o
    for o in $2; do ok "$what: $o (in --help) is in the manual page" inlist "$o" "$3"; done
    for o in $3; do ok "$what: $o (in the manual page) is in --help" inlist "$o" "$2"; done
}
# tried PROG... OPTION ARG?: the program takes the option (its argument "1"), then --help.
tried() {
    local n=$(($# - 2)) arg=${!#}
    local opt=${@:$(($# - 1)):1}
    local cmd=("${@:1:$n}" "$opt")
    [ "$arg" = 1 ] && cmd+=(1)
    "${cmd[@]}" --help >/dev/null 2>&1
}
ok "an option no program has is refused (the try below can fail)" \
    sh -c '! "$1" gc --no-such-option --help >/dev/null 2>&1 && ! "$2" --no-such-option --help >/dev/null 2>&1' _ "$OC" "$RS"

# ocshim's own options: OPTIONS; each command's: COMMANDS, .SS COMMAND.
both_ways "ocshim" "$("$OC" --help | _ocshim_help_options)" "$(man_opts "$MAN/ocshim.1" OPTIONS | cut -d' ' -f1)"
while read -r o _; do ok "ocshim $o works" "$OC" "$o" >/dev/null; done < <(man_opts "$MAN/ocshim.1" OPTIONS)
for c in $CMDS; do
    ok "ocshim(1) has a section for ocshim $c" grep -qx "\.SS $c" "$MAN/ocshim.1"
    both_ways "ocshim $c" "$("$OC" "$c" --help | _ocshim_help_options | grep -vx -- '--help\|--version\|-h')" \
        "$(man_opts "$MAN/ocshim.1" COMMANDS "$c" | cut -d' ' -f1)"
    while read -r o a; do
        ok "ocshim $c $o works" tried "$OC" "$c" "$o" "$a"
    done < <(man_opts "$MAN/ocshim.1" COMMANDS "$c")
done
for s in $(awk '/^\.SH/ { on = $2 == "COMMANDS" } on && /^\.SS / { print $2 }' "$MAN/ocshim.1"); do
    ok "ocshim(1)'s command $s is one of ocshim --commands" inlist "$s" "$CMDS"
done
both_ways "ocshim-restore" "$("$RS" --help | _ocshim_help_options)" "$(man_opts "$MAN/ocshim-restore.1" OPTIONS | cut -d' ' -f1)"
while read -r o a; do
    ok "ocshim-restore $o works" tried "$RS" "$o" "$a"
done < <(man_opts "$MAN/ocshim-restore.1" OPTIONS)
if command -v groff >/dev/null; then
    for m in "$MAN"/*.[17]; do
        ok "groff reads $(basename "$m") without a warning" test -z "$(groff -man -ww -z -Tutf8 "$m" 2>&1)"
    done
fi

# Every variable the code reads or sets by name ("OCSHIM_*", "OPENCODE_*") is in a manual page.
for v in $(grep -rhoE '"(OCSHIM|OPENCODE)_[A-Z_]+' "$ROOT/shim" "$ROOT/tools" | tr -d '"' | sort -u); do
    ok "$v is in a manual page's ENVIRONMENT" sh -c 'grep -q "^\.B[R]* $1\b" "$2"/*.[17]' _ "$v" "$MAN"
done

# --- kitty.conf: one set of lines --------------------------------------------------------------
# doctor only asks whether kitty is on PATH before it reads kitty.conf: a stand-in is enough.
printf '#!/bin/sh\nexit 1\n' >"$W/bin/kitty" && chmod +x "$W/bin/kitty"
doc() { env PATH="$W/bin:$PATH" "$OC" doctor 2>&1; }
doc_lines() { doc | awk '/fix: add th(is line|ese lines) to .*kitty.conf/ { on = 1; next } on && /^          / { sub(/^ +/, ""); print; next } { on = 0 }'; }
readme_kitty_conf >"$W/readme.conf"
ok "the README has the three kitty.conf lines" test "$(wc -l <"$W/readme.conf")" = 3
ok "ocshim doctor, without a kitty.conf, prints the README's lines byte for byte" \
    cmp -s "$W/readme.conf" <(doc_lines)
ok "ocshim-restore --help prints them too" \
    cmp -s "$W/readme.conf" <("$RS" --help | sed -n '/^In kitty.conf/,$p' | sed -n 's/^    //p')
ok "... and ocshim-restore(1)" cmp -s "$W/readme.conf" \
    <(sed -n '/^\.SH EXAMPLES/,/^\.SH/p' "$MAN/ocshim-restore.1" | sed -n '/^\.nf/,/^\.fi/p' | grep -v '^\.' | head -n 3 | sed 's/\\-/-/g')
mkdir -p "$HOME/.config/kitty"
sed -n '1p;3p' "$W/readme.conf" >"$HOME/.config/kitty/kitty.conf"
ok "doctor names the one line kitty.conf lacks (listen_on)" test "$(doc_lines)" = "$(sed -n 2p "$W/readme.conf")"
cp "$W/readme.conf" "$HOME/.config/kitty/kitty.conf"
ok "doctor finds nothing lacking in a kitty.conf with the lines" \
    sh -c '! printf "%s\n" "$1" | grep -q "kitty.conf lacks" && printf "%s\n" "$1" | grep -q "has the lines"' _ "$(doc)"

# --- AddressSanitizer: stated plainly --------------------------------------------------------------
ASAN="ASan runtime does not come first in initial library list"
ok "the README names ASan's refusal and the opencode-only set-up" \
    sh -c 'tr "\n" " " <"$1" | grep -q "$2" && grep -q "alias opencode=.LD_PRELOAD=" "$1"' _ "$ROOT/README.md" "$ASAN"
ok "doctor names it too, and the --alias set-up" \
    sh -c 'out=$(env LD_PRELOAD="$1" "$2" doctor 2>&1 | tr "\n" " " | tr -s " "); case $out in *"$3"*"init bash --alias"*) ;; *) exit 1;; esac' \
    _ "$ROOT/build/libocshim.so" "$OC" "$ASAN"

# --- completions ---------------------------------------------------------------------------------
COMP=$ROOT/tools/completions
ok "the bash completion registers ocshim and ocshim-restore" \
    bash -c 'source "$1" && { complete -p ocshim && complete -p ocshim-restore; } >/dev/null' _ "$COMP/ocshim.bash"
complete_words() {   # complete_words WORD...: what the bash completion offers for the last word
    env PATH="$ROOT/build:$PATH" bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        f=$(complete -p "$1" | sed "s/.* -F \([^ ]*\) .*/\1/"); $f; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$COMP/ocshim.bash" "$@" | sort
}
ok "bash: ocshim <TAB> offers every command" test "$(complete_words ocshim '')" = "$(sort <<<"$CMDS")"
for c in $CMDS; do
    want=$( ("$OC" "$c" --help | _ocshim_help_options; echo --help; echo --version) | sort -u)
    ok "bash: ocshim $c -<TAB> offers its options" test "$(complete_words ocshim "$c" -)" = "$want"
done
ok "bash: ocshim-restore --k<TAB> offers --kitty-session" test "$(complete_words ocshim-restore --k)" = --kitty-session
ok "the three completions read --help by the same awk program" \
    test "$(grep -h "^ *awk '" "$COMP/ocshim.bash" "$COMP/_ocshim" "$COMP/ocshim.fish" | sed 's/^ *//' | sort -u | wc -l)" = 1
for sh in bash:bash-completion/completions zsh:zsh/site-functions fish:fish/vendor_completions.d; do
    ok "ocshim init ${sh%%:*} says where its completion is installed" \
        sh -c "'$OC' init ${sh%%:*} | grep -q '^# completion: .*PREFIX/share/${sh#*:}'"
done
command -v zsh >/dev/null && ok "zsh -n reads _ocshim" zsh -n "$COMP/_ocshim"
command -v fish >/dev/null && ok "fish -n reads ocshim.fish" fish -n "$COMP/ocshim.fish"

# --- install / uninstall (-o all: the programs as built, nothing is rebuilt beside other tests) --
D=$W/dest
mk() { make -s -C "$ROOT" -o all DESTDIR="$D" PREFIX=/p "$@" >>"$W/install.log" 2>&1; }
mk install
for f in man/man1/ocshim.1 man/man1/ocshim-restore.1 man/man7/libocshim.7 \
         bash-completion/completions/ocshim bash-completion/completions/ocshim-restore \
         zsh/site-functions/_ocshim fish/vendor_completions.d/ocshim.fish fish/vendor_completions.d/ocshim-restore.fish; do
    ok "make install puts PREFIX/share/$f" test -f "$D/p/share/$f"
done
mk MANDIR=/elsewhere/man install
ok "MANDIR moves the manual pages" test -f "$D/elsewhere/man/man1/ocshim.1" -a -f "$D/elsewhere/man/man7/libocshim.7"
mk MANDIR=/elsewhere/man uninstall
mk uninstall
ok "make uninstall removes them all" test -z "$(find "$D" -type f)"
finish
