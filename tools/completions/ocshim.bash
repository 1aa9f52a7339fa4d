# ocshim.bash - bash completion for ocshim and ocshim-restore. Nothing is listed here: the
# commands come from `ocshim --commands`, each one's options from its --help.
# Installed as .../bash-completion/completions/ocshim and .../ocshim-restore.

# The options of a --help text (stdin), one a line: those of its usage lines ("usage: ..." and
# the indented lines after it) and of its option lines ("  -x, --xx ARG   what it does").
# The same awk program is in _ocshim and ocshim.fish (test_clidocs.sh checks they agree).
_ocshim_help_options() {
    awk '/^usage:/ { u = 1 } u && !/^usage:/ && !/^ / { u = 0 } { l = $0 } !u && /^  +-/ { sub(/^ +/, "", l); sub(/  .*/, "", l) } u || /^  +-/ { n = split(l, w, /[][ |(),]+/); for (i = 1; i <= n; i++) if (w[i] ~ /^--?[A-Za-z][A-Za-z0-9-]*$/) print w[i] }' | sort -u
}

_ocshim() {
    local cur=${COMP_WORDS[COMP_CWORD]} prog=${COMP_WORDS[0]/#\~/$HOME} words
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        if [[ $cur == -* ]]; then
            words=$("$prog" --help 2>/dev/null | _ocshim_help_options)
        else
            words=$("$prog" --commands 2>/dev/null)
        fi
    elif [[ $cur == -* ]]; then
        words="$("$prog" "${COMP_WORDS[1]}" --help 2>/dev/null | _ocshim_help_options) --help --version"
    else
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return 0
    fi
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}

_ocshim_restore() {
    local cur=${COMP_WORDS[COMP_CWORD]} prog=${COMP_WORDS[0]/#\~/$HOME}
    COMPREPLY=()
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$("$prog" --help 2>/dev/null | _ocshim_help_options)" -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
}

complete -F _ocshim ocshim
complete -F _ocshim_restore ocshim-restore
