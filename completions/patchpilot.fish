# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_patchpilot_global_optspecs
    string join \n format= color= v/verbose q/quiet operator= h/help V/version
end

function __fish_patchpilot_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_patchpilot_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_patchpilot_using_subcommand
    set -l cmd (__fish_patchpilot_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c patchpilot -n "__fish_patchpilot_needs_command" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_needs_command" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_needs_command" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_needs_command" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -f -a "inventory" -d 'Reach hosts, gather facts, reconcile with a CMDB and write inventory.json'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -f -a "assess" -d 'Match installed packages against advisories and write assessment.json'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -f -a "plan" -d 'Apply a policy to an assessment and write an approvable plan.json'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -f -a "approve" -d 'Sign a plan\'s digest for a role, in the OpenSSH sshsig format'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -f -a "stage" -d 'Run a plan on staging hosts with hooks, checks and a sign-off'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -f -a "rollout" -d 'Execute a plan on production in phased, resumable batches'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -f -a "validate" -d 'Rescan for compliance, compare with baselines and diagnose failures'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -f -a "report" -d 'Compliance, time-to-patch and exception reports'
complete -c patchpilot -n "__fish_patchpilot_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -s i -l inventory -d 'Hosts file (patchpilot TOML) or Ansible inventory (INI or YAML)' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -s l -l limit -d 'Select hosts: names, globs, groups, `~regex`; `!pattern` excludes, `&pattern` intersects; separate with `:` or `,`. Example: `web*:&production:!web3`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -s o -l output -d 'Where to write the artifact' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -s p -l parallel -d 'Hosts contacted at once' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l ssh-config -d 'OpenSSH client config to read (Host, `HostName`, User, Port, `IdentityFile`, `ProxyJump`, `StrictHostKeyChecking`, `UserKnownHostsFile`, `ConnectTimeout`). Defaults to `~/.ssh/config` when it exists' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l host-key-checking -d 'What to do with a host whose key is not in `known_hosts`. A key that differs from the recorded one is always refused' -r -f -a "strict\t'Refuse hosts whose key is not already in `known_hosts`'
accept-new\t'Record keys of hosts not seen before; refuse changed keys'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l connect-timeout -d 'Seconds to wait for a TCP connection and the SSH handshake [default: `ConnectTimeout` from the SSH config, else 10]' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l command-timeout -d 'Seconds any single remote command may run' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l host-timeout -d 'Seconds all work on one host may take, connection included' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l password-env -d 'Name of an environment variable holding the SSH password, for hosts without key authentication. Passwords are never taken on the command line' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l become-password-env -d 'Name of an environment variable holding the sudo password' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l key-passphrase-env -d 'Name of an environment variable holding the passphrase of encrypted key files. Each key is decrypted once per run, not once per host' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l cmdb -d 'CMDB export (CSV or JSON) to reconcile against' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l cmdb-map -d 'CMDB column mapping, `field=column`, repeatable. Fields: name, address, os, owner, environment. Example: `--cmdb-map name=hostname`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l eol-data -d 'endoflife.date product files (directory of `*.md`) newer than the embedded table' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l eol-warn-days -d 'Flag hosts whose OS reaches end of life within this many days' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l today -d 'Treat this date as today (YYYY-MM-DD), for reproducible reports' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l max-output -d 'Bytes of stdout and stderr kept per remote command; the rest is dropped and the truncation recorded' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l become -d 'Run fact commands through `sudo`'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l ask-become-pass -d 'Prompt for the sudo password on the terminal'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l ask-key-pass -d 'Prompt for the passphrase of encrypted key files on the terminal'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l refresh -d 'Refresh package lists on each host (`apt-get update`, `dnf makecache`) before reading pending updates. Needs root or `--become`'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -l full -d 'Gather every package list afresh. By default a host whose dpkg and apt state has not changed since the inventory at `--output` keeps that inventory\'s packages and pending updates, which skips the two dearest steps on the host'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -f -a "discover" -d 'List what answers on the given ports in an address range'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and not __fish_seen_subcommand_from discover help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -l cidr -d 'Address range to scan, e.g. `127.100.1.0/24`. Repeatable' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -l port -d 'Ports to try, comma separated' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -l rate -d 'New connection attempts per second, at most' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -l timeout -d 'Milliseconds to wait for each connection' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -l parallel -d 'Connection attempts in flight at once' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from discover" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from help" -f -a "discover" -d 'List what answers on the given ports in an address range'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand inventory; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -s i -l inventory -d 'The inventory artifact to assess' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -s a -l advisories -d 'An advisory feed: a file, a directory (formats may be mixed) or a zip of OSV records. Repeatable' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -l kev -d 'CISA Known Exploited Vulnerabilities catalog (JSON)' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -l epss -d 'EPSS scores (CSV, with or without the `#model_version` line)' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -l max-age -d 'Refuse to run when any feed\'s data is older than this many days (counted from `--today`). Feeds that carry no date are reported' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -l policy -d 'Policy file; its `[risk]` table sets the classification rules, SLA days and regulatory limits. Defaults to the built-in policy' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -l previous -d 'The previous assessment: first-seen dates carry over from it so SLA clocks do not restart, and findings gone since are listed as resolved' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -l today -d 'Treat this date as today (YYYY-MM-DD), for reproducible reports' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -s o -l output -d 'Where to write the artifact' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -l top -d 'CVEs listed in the summary' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -l strict -d 'Treat malformed feed records, undated feeds under `--max-age` and unparsable CVSS vectors as errors instead of warnings'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand assess" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -s a -l assessment -d 'The assessment to plan from' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -s p -l policy -d 'The policy: windows, freezes, waves, exceptions, roles' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -l now -d 'Plan as of this instant: RFC 3339 (`2026-08-22T06:00:00Z`) or a date (midnight UTC). Defaults to the current time' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -s o -l output -d 'Where to write the plan' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -f -a "show" -d 'Print a plan as tables (or as JSON with `--format json`)'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -f -a "diff" -d 'Show what changed between two plans'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -f -a "check-policy" -d 'Validate a policy file and report every problem with its location'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and not __fish_seen_subcommand_from show diff check-policy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from show" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from show" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from show" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from diff" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from diff" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from diff" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from diff" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from diff" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from check-policy" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from check-policy" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from check-policy" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from check-policy" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from check-policy" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from check-policy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from check-policy" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print a plan as tables (or as JSON with `--format json`)'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Show what changed between two plans'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "check-policy" -d 'Validate a policy file and report every problem with its location'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -s k -l key -d 'Key to sign with. An unencrypted OpenSSH private key is used directly; an encrypted one, or a `.pub` whose private half is in ssh-agent, is signed through `ssh-keygen -Y sign`' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -s r -l role -d 'The role this approval is given in' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -s p -l policy -d 'The policy naming roles, operators and their keys' -r -F
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -l verify -d 'Check the plan\'s approvals against the policy instead of signing; exits non-zero when a required role has not signed this exact plan'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -l allowed-signers -d 'Print an `allowed_signers` file for `ssh-keygen -Y verify` from the policy\'s operators and exit'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand approve" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand stage" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand stage" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand stage" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand stage" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand stage" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand stage" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand stage" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand rollout" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand rollout" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand rollout" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand rollout" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand rollout" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand rollout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand rollout" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand validate" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand validate" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand validate" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand validate" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand validate" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand validate" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand report" -l format -d 'How results are printed on stdout: tables for people or JSON for programs' -r -f -a "human\t''
json\t''
csv\t'One row per record, for spreadsheets (commands that list records, such as `assess`; others print `human`)'"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand report" -l color -d 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c patchpilot -n "__fish_patchpilot_using_subcommand report" -l operator -d 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`' -r
complete -c patchpilot -n "__fish_patchpilot_using_subcommand report" -s v -l verbose -d 'More log detail on stderr: -v for decisions, -vv for every remote command'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand report" -s q -l quiet -d 'Only errors on stderr; no progress, no summary'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand report" -s V -l version -d 'Print version'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and not __fish_seen_subcommand_from inventory assess plan approve stage rollout validate report help" -f -a "inventory" -d 'Reach hosts, gather facts, reconcile with a CMDB and write inventory.json'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and not __fish_seen_subcommand_from inventory assess plan approve stage rollout validate report help" -f -a "assess" -d 'Match installed packages against advisories and write assessment.json'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and not __fish_seen_subcommand_from inventory assess plan approve stage rollout validate report help" -f -a "plan" -d 'Apply a policy to an assessment and write an approvable plan.json'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and not __fish_seen_subcommand_from inventory assess plan approve stage rollout validate report help" -f -a "approve" -d 'Sign a plan\'s digest for a role, in the OpenSSH sshsig format'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and not __fish_seen_subcommand_from inventory assess plan approve stage rollout validate report help" -f -a "stage" -d 'Run a plan on staging hosts with hooks, checks and a sign-off'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and not __fish_seen_subcommand_from inventory assess plan approve stage rollout validate report help" -f -a "rollout" -d 'Execute a plan on production in phased, resumable batches'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and not __fish_seen_subcommand_from inventory assess plan approve stage rollout validate report help" -f -a "validate" -d 'Rescan for compliance, compare with baselines and diagnose failures'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and not __fish_seen_subcommand_from inventory assess plan approve stage rollout validate report help" -f -a "report" -d 'Compliance, time-to-patch and exception reports'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and not __fish_seen_subcommand_from inventory assess plan approve stage rollout validate report help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and __fish_seen_subcommand_from inventory" -f -a "discover" -d 'List what answers on the given ports in an address range'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "show" -d 'Print a plan as tables (or as JSON with `--format json`)'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "diff" -d 'Show what changed between two plans'
complete -c patchpilot -n "__fish_patchpilot_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "check-policy" -d 'Validate a policy file and report every problem with its location'
