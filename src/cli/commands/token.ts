import { Option, type Command } from 'commander';
import { ROLES, type Role } from '../../access/roles.js';
import { TokenError, TokenStore, type TokenInfo } from '../../access/tokens.js';
import type { CliIo } from '../context.js';
import { addDuration, parseDuration, type Duration } from '../../front-door/duration.js';
import { CliError, UsageError } from '../../front-door/errors.js';
import { describeExpiry, isoTime, table } from '../../front-door/format.js';
import { defaultActor, parseListName, parseListNames } from '../options.js';
import { tokenJson } from '../../front-door/json-shapes.js';
import { withContext } from '../with-context.js';

interface CreateOptions {
  name: string;
  role: Role;
  lists?: string[];
  expires?: Duration;
  by?: string;
}

/** `callguard token create|list|revoke`: the API's access tokens. */
export function registerToken(program: Command, io: CliIo): void {
  const token = program
    .command('token')
    .description('access tokens of the HTTP API (callguard api): create, list, revoke')
    .addHelpText(
      'after',
      `
Roles, each including the one before:
  viewer      check, show, report; read lists, routes and campaigns
  operator    + add and cancel entries, queue a call
  supervisor  + create, enable, disable and remove lists; import, export; routes, campaigns
  admin       + tokens and webhooks
A token with --lists touches those lists only. Its name is the "by" of every change it makes.
Details: docs/api.md`,
    );

  token
    .command('create')
    .description('create a token and print it, once: only its hash is stored')
    .addOption(new Option('--name <name>', 'who uses it: the "by" of its changes, e.g. alice or crm (required)').argParser(parseListName).makeOptionMandatory())
    .addOption(new Option('--role <role>', 'what it may do (required)').choices([...ROLES]).makeOptionMandatory())
    .addOption(new Option('--lists <names>', 'only these lists, a,b,c (default: every list)').argParser(parseListNames))
    .addOption(new Option('--expires <duration>', 'stops working after this long: 30d, 90d, 1y (default: never)').argParser((text: string) => parseDuration(text)))
    .addOption(new Option('--by <who>', 'who creates it, kept with it (default: your user name)'))
    .addHelpText(
      'after',
      `
The token is printed once; store it where its user keeps secrets. Lost: revoke it and
create another. Send it as "Authorization: Bearer <token>".

Examples:
  $ callguard token create --name alice --role operator --lists dnc,harassment --expires 90d
  $ callguard token create --name crm --role operator --json | jq -r .token

JSON: {"name","role","lists":[...]|null,"expiresAt":ISO|null,"token"}`,
    )
    .action(async (options: CreateOptions, command: Command) =>
      withContext(command, io, async (context) => {
        const created = await new TokenStore(await context.redis(), context.namespace)
          .create({
            name: options.name,
            role: options.role,
            lists: options.lists ?? null,
            expiresAt: options.expires ? addDuration(Date.now(), options.expires) : null,
            createdBy: options.by ?? defaultActor(),
          })
          .catch(rethrowTokenError);
        context.print(
          [
            `token ${created.name} created (${describe(created)}):`,
            created.token,
            'It is shown only now: keep it in a secret store.',
          ],
          { ...tokenJson(created), token: created.token },
        );
      }),
    );

  token
    .command('list')
    .description('list the tokens: name, role, lists, expiry (never a secret)')
    .addHelpText('after', '\nExample:\n  $ callguard token list\n\nJSON: {"tokens":[{"name","role","lists","expiresAt","expired","createdAt","createdBy"}]}')
    .action(async (_options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const tokens = await new TokenStore(await context.redis(), context.namespace).list();
        const now = Date.now();
        context.print(
          tokens.length === 0
            ? 'no tokens yet (create one with: callguard token create --name <name> --role <role>)'
            : table(
                ['NAME', 'ROLE', 'LISTS', 'EXPIRES', 'CREATED', 'BY'],
                tokens.map((t) => [t.name, t.role, t.lists?.join(',') ?? 'all', describeExpiry(t.expiresAt, now), isoTime(t.createdAt) ?? '', t.createdBy]),
              ),
          { tokens: tokens.map((t) => ({ ...tokenJson(t), expired: t.expiresAt !== null && t.expiresAt <= now, createdAt: isoTime(t.createdAt), createdBy: t.createdBy })) },
        );
      }),
    );

  token
    .command('revoke')
    .description('revoke a token: the API refuses it within seconds')
    .argument('<name>', 'the token name', parseListName)
    .addHelpText('after', '\nExample:\n  $ callguard token revoke alice\n\nJSON: {"revoked":"<name>"}')
    .action(async (name: string, _options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        await new TokenStore(await context.redis(), context.namespace).revoke(name).catch(rethrowTokenError);
        context.print(`token ${name} revoked (running API processes refuse it within a few seconds)`, { revoked: name });
      }),
    );
}

function describe(token: TokenInfo): string {
  const lists = token.lists ? `lists ${token.lists.join(', ')}` : 'every list';
  return `${token.role}, ${lists}, expires ${describeExpiry(token.expiresAt, Date.now())}`;
}

function rethrowTokenError(error: unknown): never {
  if (error instanceof TokenError) throw error.code === 'invalid' ? new UsageError(error.message) : new CliError(error.message);
  throw error;
}
