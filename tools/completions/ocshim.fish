# ocshim.fish - fish completion for ocshim and ocshim-restore. Nothing is listed here: the
# commands come from `ocshim --commands`, each one's options from its --help (the awk program
# of ocshim.bash; test_clidocs.sh checks they agree). Installed in .../fish/vendor_completions.d
# as ocshim.fish and ocshim-restore.fish.

function __ocshim_help_options
    awk '/^usage:/ { u = 1 } u && !/^usage:/ && !/^ / { u = 0 } { l = $0 } !u && /^  +-/ { sub(/^ +/, "", l); sub(/  .*/, "", l) } u || /^  +-/ { n = split(l, w, /[][ |(),]+/); for (i = 1; i <= n; i++) if (w[i] ~ /^--?[A-Za-z][A-Za-z0-9-]*$/) print w[i] }' | sort -u
end

# The options of the command being completed: ocshim's own, its subcommand's, or ocshim-restore's.
function __ocshim_options
    set -l words (commandline -opc)
    if test (count $words) -ge 2; and test $words[1] = ocshim
        $words[1] $words[2] --help 2>/dev/null | __ocshim_help_options
        printf '%s\n' --help --version
    else
        $words[1] --help 2>/dev/null | __ocshim_help_options
    end
end

complete -c ocshim -f -n __fish_use_subcommand -a '(ocshim --commands 2>/dev/null)'
complete -c ocshim -n 'string match -q -- "-*" (commandline -ct)' -a '(__ocshim_options)'
complete -c ocshim-restore -n 'string match -q -- "-*" (commandline -ct)' -a '(__ocshim_options)'
