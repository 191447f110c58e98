import { Option } from 'commander';
import { AriTransportError } from '../calls/ari-rest.js';
import type { DialplanTarget } from '../calls/call-control.js';
import { checkDialplanOnce, DialplanCheckError } from '../calls/dialplan-check.js';
import { ConfigError, DEFAULTS, parseHttpUrl, SETTINGS } from '../config.js';
import { formatDialplanTarget } from '../screening/campaign-syntax.js';
import { UsageError } from '../front-door/errors.js';

/** The flags `campaign set` checks its --context with (the password only from ARI_PASSWORD, as for serve). */
export interface ContextCheckFlags {
  ariUrl?: string;
  ariUsername?: string;
  allowMissingContext?: boolean;
}

export function allowMissingContextOption(): Option {
  return new Option('--allow-missing-context', "save even when Asterisk's dialplan lacks --context; NOTHING is dialled until it has it");
}

export function ariUrlOption(): Option {
  return new Option(`${SETTINGS.ariUrl.flag} <url>`, `Asterisk's HTTP server, to check --context (default: ${DEFAULTS.ariUrl})`).env(SETTINGS.ariUrl.env);
}

export function ariUsernameOption(): Option {
  return new Option(`${SETTINGS.ariUsername.flag} <user>`, 'ARI user to check --context with; the password comes from ARI_PASSWORD only').env(
    SETTINGS.ariUsername.env,
  );
}

/**
 * Asks Asterisk whether the context a campaign's answered calls go to exists, before the
 * campaign is saved: a typo would otherwise hang up on every callee the moment they
 * answer. A missing context is refused (nothing saved) unless --allow-missing-context;
 * when Asterisk cannot be asked, the answer is a warning, since serve checks again
 * before every dial. Returns the warnings to print once the campaign is saved.
 */
export async function checkCampaignContext(target: DialplanTarget, flags: ContextCheckFlags, env: NodeJS.ProcessEnv): Promise<string[]> {
  const context = formatDialplanTarget(target);
  const username = flags.ariUsername;
  const password = env[SETTINGS.ariPassword.env];
  if (!username || !password) {
    return [
      `callguard: warning: --context ${context} not checked against Asterisk (set ARI_USERNAME and ARI_PASSWORD to check it); serve dials nothing into a context its dialplan lacks`,
    ];
  }
  let url: string;
  try {
    url = parseHttpUrl(flags.ariUrl ?? DEFAULTS.ariUrl);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`${error.message}; nothing was saved`);
    throw error;
  }
  let answer;
  try {
    answer = await checkDialplanOnce({ url, username, password }, target);
  } catch (error) {
    if (error instanceof DialplanCheckError || error instanceof AriTransportError) {
      return [`callguard: warning: --context ${context} not checked: ${error.message}`];
    }
    throw error;
  }
  switch (answer.kind) {
    case 'exists':
      return [];
    case 'unknown':
      return [`callguard: warning: --context ${context} not checked: ${answer.reason}`];
    case 'missing':
      if (flags.allowMissingContext) {
        return [`callguard: warning: Asterisk at ${url} has no ${context} in its dialplan; nothing is dialled until it has`];
      }
      throw new UsageError(
        `Asterisk at ${url} has no ${context} in its dialplan: every answered callee would be hung up on; nothing was saved (check --context, or pass --allow-missing-context)`,
      );
  }
}
