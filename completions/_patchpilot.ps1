
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'patchpilot' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'patchpilot'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'patchpilot' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('inventory', 'inventory', [CompletionResultType]::ParameterValue, 'Reach hosts, gather facts, reconcile with a CMDB and write inventory.json')
            [CompletionResult]::new('assess', 'assess', [CompletionResultType]::ParameterValue, 'Match installed packages against advisories and write assessment.json')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Apply a policy to an assessment and write an approvable plan.json')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Sign a plan''s digest for a role, in the OpenSSH sshsig format')
            [CompletionResult]::new('stage', 'stage', [CompletionResultType]::ParameterValue, 'Run a plan on staging hosts with hooks, checks and a sign-off')
            [CompletionResult]::new('rollout', 'rollout', [CompletionResultType]::ParameterValue, 'Execute a plan on production in phased, resumable batches')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Rescan for compliance, compare with baselines and diagnose failures')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Compliance, time-to-patch and exception reports')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'patchpilot;inventory' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Hosts file (patchpilot TOML) or Ansible inventory (INI or YAML)')
            [CompletionResult]::new('--inventory', '--inventory', [CompletionResultType]::ParameterName, 'Hosts file (patchpilot TOML) or Ansible inventory (INI or YAML)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Select hosts: names, globs, groups, `~regex`; `!pattern` excludes, `&pattern` intersects; separate with `:` or `,`. Example: `web*:&production:!web3`')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Select hosts: names, globs, groups, `~regex`; `!pattern` excludes, `&pattern` intersects; separate with `:` or `,`. Example: `web*:&production:!web3`')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the artifact')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the artifact')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Hosts contacted at once')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Hosts contacted at once')
            [CompletionResult]::new('--ssh-config', '--ssh-config', [CompletionResultType]::ParameterName, 'OpenSSH client config to read (Host, `HostName`, User, Port, `IdentityFile`, `ProxyJump`, `StrictHostKeyChecking`, `UserKnownHostsFile`, `ConnectTimeout`). Defaults to `~/.ssh/config` when it exists')
            [CompletionResult]::new('--host-key-checking', '--host-key-checking', [CompletionResultType]::ParameterName, 'What to do with a host whose key is not in `known_hosts`. A key that differs from the recorded one is always refused')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a TCP connection and the SSH handshake [default: `ConnectTimeout` from the SSH config, else 10]')
            [CompletionResult]::new('--command-timeout', '--command-timeout', [CompletionResultType]::ParameterName, 'Seconds any single remote command may run')
            [CompletionResult]::new('--host-timeout', '--host-timeout', [CompletionResultType]::ParameterName, 'Seconds all work on one host may take, connection included')
            [CompletionResult]::new('--password-env', '--password-env', [CompletionResultType]::ParameterName, 'Name of an environment variable holding the SSH password, for hosts without key authentication. Passwords are never taken on the command line')
            [CompletionResult]::new('--become-password-env', '--become-password-env', [CompletionResultType]::ParameterName, 'Name of an environment variable holding the sudo password')
            [CompletionResult]::new('--key-passphrase-env', '--key-passphrase-env', [CompletionResultType]::ParameterName, 'Name of an environment variable holding the passphrase of encrypted key files. Each key is decrypted once per run, not once per host')
            [CompletionResult]::new('--cmdb', '--cmdb', [CompletionResultType]::ParameterName, 'CMDB export (CSV or JSON) to reconcile against')
            [CompletionResult]::new('--cmdb-map', '--cmdb-map', [CompletionResultType]::ParameterName, 'CMDB column mapping, `field=column`, repeatable. Fields: name, address, os, owner, environment. Example: `--cmdb-map name=hostname`')
            [CompletionResult]::new('--eol-data', '--eol-data', [CompletionResultType]::ParameterName, 'endoflife.date product files (directory of `*.md`) newer than the embedded table')
            [CompletionResult]::new('--eol-warn-days', '--eol-warn-days', [CompletionResultType]::ParameterName, 'Flag hosts whose OS reaches end of life within this many days')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Treat this date as today (YYYY-MM-DD), for reproducible reports')
            [CompletionResult]::new('--max-output', '--max-output', [CompletionResultType]::ParameterName, 'Bytes of stdout and stderr kept per remote command; the rest is dropped and the truncation recorded')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('--become', '--become', [CompletionResultType]::ParameterName, 'Run fact commands through `sudo`')
            [CompletionResult]::new('--ask-become-pass', '--ask-become-pass', [CompletionResultType]::ParameterName, 'Prompt for the sudo password on the terminal')
            [CompletionResult]::new('--ask-key-pass', '--ask-key-pass', [CompletionResultType]::ParameterName, 'Prompt for the passphrase of encrypted key files on the terminal')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Refresh package lists on each host (`apt-get update`, `dnf makecache`) before reading pending updates. Needs root or `--become`')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Gather every package list afresh. By default a host whose dpkg and apt state has not changed since the inventory at `--output` keeps that inventory''s packages and pending updates, which skips the two dearest steps on the host')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('discover', 'discover', [CompletionResultType]::ParameterValue, 'List what answers on the given ports in an address range')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'patchpilot;inventory;discover' {
            [CompletionResult]::new('--cidr', '--cidr', [CompletionResultType]::ParameterName, 'Address range to scan, e.g. `127.100.1.0/24`. Repeatable')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Ports to try, comma separated')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'New connection attempts per second, at most')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Milliseconds to wait for each connection')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Connection attempts in flight at once')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'patchpilot;inventory;help' {
            [CompletionResult]::new('discover', 'discover', [CompletionResultType]::ParameterValue, 'List what answers on the given ports in an address range')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'patchpilot;inventory;help;discover' {
            break
        }
        'patchpilot;inventory;help;help' {
            break
        }
        'patchpilot;assess' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'The inventory artifact to assess')
            [CompletionResult]::new('--inventory', '--inventory', [CompletionResultType]::ParameterName, 'The inventory artifact to assess')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'An advisory feed: a file, a directory (formats may be mixed) or a zip of OSV records. Repeatable')
            [CompletionResult]::new('--advisories', '--advisories', [CompletionResultType]::ParameterName, 'An advisory feed: a file, a directory (formats may be mixed) or a zip of OSV records. Repeatable')
            [CompletionResult]::new('--kev', '--kev', [CompletionResultType]::ParameterName, 'CISA Known Exploited Vulnerabilities catalog (JSON)')
            [CompletionResult]::new('--epss', '--epss', [CompletionResultType]::ParameterName, 'EPSS scores (CSV, with or without the `#model_version` line)')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'Refuse to run when any feed''s data is older than this many days (counted from `--today`). Feeds that carry no date are reported')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file; its `[risk]` table sets the classification rules, SLA days and regulatory limits. Defaults to the built-in policy')
            [CompletionResult]::new('--previous', '--previous', [CompletionResultType]::ParameterName, 'The previous assessment: first-seen dates carry over from it so SLA clocks do not restart, and findings gone since are listed as resolved')
            [CompletionResult]::new('--today', '--today', [CompletionResultType]::ParameterName, 'Treat this date as today (YYYY-MM-DD), for reproducible reports')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the artifact')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the artifact')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'CVEs listed in the summary')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat malformed feed records, undated feeds under `--max-age` and unparsable CVSS vectors as errors instead of warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'patchpilot;plan' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'The assessment to plan from')
            [CompletionResult]::new('--assessment', '--assessment', [CompletionResultType]::ParameterName, 'The assessment to plan from')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The policy: windows, freezes, waves, exceptions, roles')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy: windows, freezes, waves, exceptions, roles')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Plan as of this instant: RFC 3339 (`2026-08-22T06:00:00Z`) or a date (midnight UTC). Defaults to the current time')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the plan')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the plan')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a plan as tables (or as JSON with `--format json`)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what changed between two plans')
            [CompletionResult]::new('check-policy', 'check-policy', [CompletionResultType]::ParameterValue, 'Validate a policy file and report every problem with its location')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'patchpilot;plan;show' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'patchpilot;plan;diff' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'patchpilot;plan;check-policy' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'patchpilot;plan;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a plan as tables (or as JSON with `--format json`)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what changed between two plans')
            [CompletionResult]::new('check-policy', 'check-policy', [CompletionResultType]::ParameterValue, 'Validate a policy file and report every problem with its location')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'patchpilot;plan;help;show' {
            break
        }
        'patchpilot;plan;help;diff' {
            break
        }
        'patchpilot;plan;help;check-policy' {
            break
        }
        'patchpilot;plan;help;help' {
            break
        }
        'patchpilot;approve' {
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Key to sign with. An unencrypted OpenSSH private key is used directly; an encrypted one, or a `.pub` whose private half is in ssh-agent, is signed through `ssh-keygen -Y sign`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Key to sign with. An unencrypted OpenSSH private key is used directly; an encrypted one, or a `.pub` whose private half is in ssh-agent, is signed through `ssh-keygen -Y sign`')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The role this approval is given in')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'The role this approval is given in')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The policy naming roles, operators and their keys')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy naming roles, operators and their keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Check the plan''s approvals against the policy instead of signing; exits non-zero when a required role has not signed this exact plan')
            [CompletionResult]::new('--allowed-signers', '--allowed-signers', [CompletionResultType]::ParameterName, 'Print an `allowed_signers` file for `ssh-keygen -Y verify` from the policy''s operators and exit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'patchpilot;stage' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'patchpilot;rollout' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'patchpilot;validate' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'patchpilot;report' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout: tables for people or JSON for programs')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `NO_COLOR` in the environment means `never` under `auto`')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who is running this, recorded in every artifact and audit entry. Defaults to `SUDO_USER`, then `USER`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr: -v for decisions, -vv for every remote command')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress, no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'patchpilot;help' {
            [CompletionResult]::new('inventory', 'inventory', [CompletionResultType]::ParameterValue, 'Reach hosts, gather facts, reconcile with a CMDB and write inventory.json')
            [CompletionResult]::new('assess', 'assess', [CompletionResultType]::ParameterValue, 'Match installed packages against advisories and write assessment.json')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Apply a policy to an assessment and write an approvable plan.json')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Sign a plan''s digest for a role, in the OpenSSH sshsig format')
            [CompletionResult]::new('stage', 'stage', [CompletionResultType]::ParameterValue, 'Run a plan on staging hosts with hooks, checks and a sign-off')
            [CompletionResult]::new('rollout', 'rollout', [CompletionResultType]::ParameterValue, 'Execute a plan on production in phased, resumable batches')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Rescan for compliance, compare with baselines and diagnose failures')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Compliance, time-to-patch and exception reports')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'patchpilot;help;inventory' {
            [CompletionResult]::new('discover', 'discover', [CompletionResultType]::ParameterValue, 'List what answers on the given ports in an address range')
            break
        }
        'patchpilot;help;inventory;discover' {
            break
        }
        'patchpilot;help;assess' {
            break
        }
        'patchpilot;help;plan' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a plan as tables (or as JSON with `--format json`)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what changed between two plans')
            [CompletionResult]::new('check-policy', 'check-policy', [CompletionResultType]::ParameterValue, 'Validate a policy file and report every problem with its location')
            break
        }
        'patchpilot;help;plan;show' {
            break
        }
        'patchpilot;help;plan;diff' {
            break
        }
        'patchpilot;help;plan;check-policy' {
            break
        }
        'patchpilot;help;approve' {
            break
        }
        'patchpilot;help;stage' {
            break
        }
        'patchpilot;help;rollout' {
            break
        }
        'patchpilot;help;validate' {
            break
        }
        'patchpilot;help;report' {
            break
        }
        'patchpilot;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
