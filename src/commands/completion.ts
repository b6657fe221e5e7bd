/**
 * `completion [--shell bash|zsh]`: print a shell completion script. The
 * script asks the CLI itself for candidates through yargs' built-in
 * `--get-yargs-completions` (answered by the parser in cli.ts), so it never
 * goes stale when verbs change. yargs 17 picks the zsh form only when $SHELL
 * names zsh; here the shell is chosen explicitly (default: from $SHELL), and
 * the script pins SHELL for its call back so the answer's format matches.
 */
import path from 'node:path';
import { verb } from './common.js';

type Shell = 'bash' | 'zsh';

const NAME = 'illumio-monitor';
const FN = '_illumio_monitor_completions';

const BASH = `###-begin-${NAME}-completions-###
# bash completion for ${NAME}
# Install: ${NAME} completion --shell bash >> ~/.bashrc
#      or: ${NAME} completion --shell bash > /etc/bash_completion.d/${NAME}
${FN}()
{
    local cur_word type_list
    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    type_list=$(SHELL=bash ${NAME} --get-yargs-completions "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)
    COMPREPLY=( $(compgen -W "\${type_list}" -- "\${cur_word}") )
    return 0
}
complete -o bashdefault -o default -F ${FN} ${NAME}
###-end-${NAME}-completions-###
`;

const ZSH = `#compdef ${NAME}
###-begin-${NAME}-completions-###
# zsh completion for ${NAME}
# Install: ${NAME} completion --shell zsh >> ~/.zshrc
#      or: ${NAME} completion --shell zsh > "\${fpath[1]}/_${NAME}"
${FN}()
{
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(COMP_CWORD="$((CURRENT-1))" COMP_LINE="$BUFFER" COMP_POINT="$CURSOR" SHELL=zsh ${NAME} --get-yargs-completions "\${words[@]:0:$CURRENT}" 2>/dev/null))
  IFS=$si
  _describe 'values' reply
}
compdef ${FN} ${NAME}
###-end-${NAME}-completions-###
`;

/** The completion script for a shell. */
export function completionScript(shell: Shell): string {
  return shell === 'zsh' ? ZSH : BASH;
}

export const completionCommand = verb({
  command: 'completion',
  describe: 'Print a bash or zsh completion script',
  builder: (y) =>
    y
      .option('shell', { choices: ['bash', 'zsh'] as const, describe: 'Shell to complete for (default: from $SHELL, else bash)' })
      .example('$0 completion --shell bash >> ~/.bashrc', 'complete verbs and options in bash')
      .example('$0 completion --shell zsh >> ~/.zshrc', 'the same in zsh'),
  handler: async (args, ctx) => {
    const shell: Shell = args.shell ?? (path.basename(ctx.env.SHELL ?? '') === 'zsh' ? 'zsh' : 'bash');
    const script = completionScript(shell);
    return { exitCode: 0, text: script, json: { shell, script } };
  },
});
