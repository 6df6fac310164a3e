/**
 * Shell completion scripts for bash, zsh and fish, generated from the
 * command tree itself (nouns, verbs, their options) and from the cmdlets'
 * parameter lists, so they never drift from what the CLI accepts. The
 * scripts are static: pressing Tab does not start Node.
 */
import type { Command } from 'commander';

/** What completes after `provisio`: nouns with their verbs and options, cmdlets with their parameters. */
export interface CompletionModel {
  /** Options every command takes (`--json`, `--server`, …). */
  globalOptions: string[];
  /** noun → verb → options; a noun without verbs (serve, demo) maps '' to its options. */
  nouns: Map<string, Map<string, string[]>>;
  /** cmdlet name → its parameters, written `-Name`. */
  cmdlets: Map<string, string[]>;
}

const longFlags = (cmd: Command): string[] => cmd.options.map((o) => o.long).filter((l): l is string => Boolean(l));

/** Reads the model off a fully registered commander program. */
export function modelOf(program: Command, cmdlets: Iterable<{ name: string; parameters: string[] }>): CompletionModel {
  const nouns = new Map<string, Map<string, string[]>>();
  for (const noun of program.commands) {
    const verbs = new Map<string, string[]>();
    if (noun.commands.length === 0) verbs.set('', [...longFlags(noun), '--help']);
    for (const verb of noun.commands) {
      // Third-level commands (job schema export) complete as "verb" words too.
      verbs.set(verb.name(), [...longFlags(verb), ...verb.commands.map((c) => c.name()), '--help']);
    }
    nouns.set(noun.name(), verbs);
  }
  const cm = new Map<string, string[]>();
  for (const c of cmdlets) cm.set(c.name, [...c.parameters.map((p) => `-${p}`), '--json', '--help']);
  return { globalOptions: [...longFlags(program), '--help'], nouns, cmdlets: cm };
}

// Words are command names and option flags: letters, digits and dashes only,
// so they go into the scripts without quoting concerns. Checked anyway.
function words(list: Iterable<string>): string {
  const all = [...list];
  for (const w of all) if (!/^-{0,2}[A-Za-z][\w-]*$/.test(w)) throw new Error(`not a completion word: ${w}`);
  return all.join(' ');
}

/** The bash script (zsh loads it through bashcompinit). */
export function bashScript(m: CompletionModel): string {
  const nounCases = [...m.nouns].map(([noun, verbs]) => {
    const named = [...verbs.keys()].filter((v) => v !== '');
    const verbCases = [...verbs].map(([verb, opts]) => `        ${verb === '' ? '""' : verb}) opts="${words(opts)}" ;;`).join('\n');
    return [
      `    ${noun})`,
      named.length ? `      if [[ -z "$verb" ]]; then COMPREPLY=( $(compgen -W "${words(named)} --help" -- "$cur") ); return 0; fi` : '',
      '      case "$verb" in',
      verbCases,
      '      esac ;;',
    ].filter(Boolean).join('\n');
  }).join('\n');
  const cmdletCases = [...m.cmdlets].map(([name, params]) => `    ${name}) opts="${words(params)}" ;;`).join('\n');
  return `# provisio completion for bash. Load it with:  source <(provisio completion bash)
_provisio() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" noun="" verb="" opts="" i w
  local globals="${words(m.globalOptions)}"
  # The first two words that are not options (nor an option's value) are the noun and the verb.
  for (( i = 1; i < COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      --server|--client-id|--client-secret|--profile) (( i++ )); continue ;;
      -*) continue ;;
    esac
    if [[ -z "$noun" ]]; then noun="$w"; elif [[ -z "$verb" ]]; then verb="$w"; break; fi
  done
  if [[ -z "$noun" ]]; then
    COMPREPLY=( $(compgen -W "${words(m.nouns.keys())} ${words(m.cmdlets.keys())} $globals" -- "$cur") )
    return 0
  fi
  shopt -s nocasematch
  case "$noun" in
${cmdletCases}
  esac
  shopt -u nocasematch
  if [[ -n "$opts" ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
    return 0
  fi
  case "$noun" in
${nounCases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts $globals" -- "$cur") )
  else
    # Sub-verbs (job schema export|import); flags only once a '-' is typed.
    local subs=() o
    for o in $opts; do [[ "$o" == -* ]] || subs+=("$o"); done
    COMPREPLY=( $(compgen -W "\${subs[*]}" -- "$cur") )
  fi
  return 0
}
complete -o default -F _provisio provisio
`;
}

/** zsh: the bash function through zsh's bashcompinit. */
export function zshScript(m: CompletionModel): string {
  return `# provisio completion for zsh. Load it with:  source <(provisio completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(m).replace(/^# provisio completion for bash.*\n/, '')}`;
}

/** fish: one `complete` line per word, conditioned on the words already typed. */
export function fishScript(m: CompletionModel): string {
  const lines = ['# provisio completion for fish. Load it with:  provisio completion fish | source', 'complete -c provisio -f'];
  const first = [...m.nouns.keys(), ...m.cmdlets.keys()];
  lines.push(`complete -c provisio -n "not __fish_seen_subcommand_from ${words(first)}" -a "${words(first)}"`);
  for (const g of m.globalOptions) lines.push(`complete -c provisio -l ${g.slice(2)}`);
  for (const [noun, verbs] of m.nouns) {
    const named = [...verbs.keys()].filter((v) => v !== '');
    if (named.length) lines.push(`complete -c provisio -n "__fish_seen_subcommand_from ${noun}; and not __fish_seen_subcommand_from ${words(named)}" -a "${words(named)}"`);
    for (const [verb, opts] of verbs) {
      const cond = verb === '' ? `__fish_seen_subcommand_from ${noun}` : `__fish_seen_subcommand_from ${noun}; and __fish_seen_subcommand_from ${verb}`;
      for (const o of opts) if (o.startsWith('--')) lines.push(`complete -c provisio -n "${cond}" -l ${o.slice(2)}`);
    }
  }
  for (const [name, params] of m.cmdlets) {
    const ps = params.filter((p) => !p.startsWith('--'));
    lines.push(`complete -c provisio -n "__fish_seen_subcommand_from ${name}" -a "${words(ps)}"`);
  }
  return lines.join('\n') + '\n';
}
