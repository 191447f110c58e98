import { InvalidArgumentError, Option, type Command } from 'commander';
import { EVENT_TYPES, isEventType } from '../../webhooks/events.js';
import { infoOf, nameFromUrl, WebhookError, WebhookStore, type Delivery } from '../../webhooks/store.js';
import type { CliIo } from '../context.js';
import { CliError, UsageError } from '../../front-door/errors.js';
import { isoTime, table } from '../../front-door/format.js';
import { deliveryJson, webhookJson } from '../../front-door/json-shapes.js';
import { defaultActor, parseListName, positiveInteger } from '../options.js';
import { withContext } from '../with-context.js';

interface AddOptions {
  url: string;
  events: string[];
  secret?: string;
  name?: string;
  by?: string;
}

const DEFAULT_DELIVERIES = 20;

/** `callguard webhook add|list|rm|deliveries`: signed notifications, delivered by `callguard api`. */
export function registerWebhook(program: Command, io: CliIo): void {
  const webhook = program
    .command('webhook')
    .description('webhooks: signed HTTP notifications of added and cancelled numbers, blocked calls, imports')
    .addHelpText(
      'after',
      `
Events: ${EVENT_TYPES.join(', ')}.
callguard api delivers them (at least once; a receiver that is down gets them when it is
back, up to --webhook-drop-after), each signed with HMAC-SHA256 over "<timestamp>.<body>"
in the Callguard-Signature header. Details and a receiver's check: docs/api.md`,
    );

  webhook
    .command('add')
    .description('add a webhook; events from now on are sent to it')
    .addOption(new Option('--url <url>', 'where to POST the events, http:// or https:// (required)').makeOptionMandatory())
    .addOption(new Option('--events <types>', `a,b,c of: ${EVENT_TYPES.join(', ')} (required)`).argParser(parseEvents).makeOptionMandatory())
    .addOption(new Option('--secret <secret>', 'the signing key, 16 characters or more (default: one is made and printed once)'))
    .addOption(new Option('--name <name>', "its name in list, rm and deliveries (default: from the URL's host)").argParser(parseListName))
    .addOption(new Option('--by <who>', 'who adds it (default: your user name)'))
    .addHelpText(
      'after',
      `
Examples:
  $ callguard webhook add --url https://relay.example.com/callguard --events entry.added,call.blocked --secret "$SECRET"
  $ callguard webhook add --name crm --url https://crm.example.com/hooks/dnc --events entry.added,entry.cancelled

JSON: {"name","url","events":[...],"createdAt","createdBy","secret"?} (secret only when it was made)`,
    )
    .action(async (options: AddOptions, command: Command) =>
      withContext(command, io, async (context) => {
        const store = new WebhookStore(await context.redis(), context.namespace);
        const added = await store
          .add({
            name: options.name ?? nameOf(options.url),
            url: options.url,
            events: options.events,
            ...(options.secret === undefined ? {} : { secret: options.secret }),
            createdBy: options.by ?? defaultActor(),
          })
          .catch(rethrow);
        const made = options.secret === undefined;
        context.print(
          [
            `webhook ${added.name} added: ${added.events.join(', ')} to ${added.url}`,
            ...(made ? ['secret (shown only now; the receiver checks signatures with it):', added.secret] : []),
            'callguard api delivers them; see them arrive with: callguard webhook deliveries ' + added.name,
          ],
          { ...webhookJson(infoOf(added)), ...(made ? { secret: added.secret } : {}) },
        );
      }),
    );

  webhook
    .command('list')
    .description('list the webhooks (never their secrets)')
    .addHelpText('after', '\nExample:\n  $ callguard webhook list\n\nJSON: {"webhooks":[{"name","url","events","createdAt","createdBy"}]}')
    .action(async (_options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const hooks = (await new WebhookStore(await context.redis(), context.namespace).all()).map(infoOf);
        context.print(
          hooks.length === 0
            ? 'no webhooks yet (add one with: callguard webhook add --url <url> --events <types>)'
            : table(['NAME', 'EVENTS', 'URL', 'ADDED', 'BY'], hooks.map((hook) => [hook.name, hook.events.join(','), hook.url, isoTime(hook.createdAt) ?? '', hook.createdBy])),
          { webhooks: hooks.map(webhookJson) },
        );
      }),
    );

  webhook
    .command('rm')
    .description('remove a webhook with the events waiting for it')
    .argument('<name>', 'the webhook', parseListName)
    .addHelpText('after', '\nExample:\n  $ callguard webhook rm crm\n\nJSON: {"removed":"<name>"}')
    .action(async (name: string, _options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        await new WebhookStore(await context.redis(), context.namespace).remove(name).catch(rethrow);
        context.print(`webhook ${name} removed`, { removed: name });
      }),
    );

  webhook
    .command('deliveries')
    .description("a webhook's delivery attempts, newest first, and how many events wait")
    .argument('<name>', 'the webhook', parseListName)
    .addOption(new Option('--limit <n>', 'attempts shown').argParser(positiveInteger(1_000)).default(DEFAULT_DELIVERIES))
    .addHelpText(
      'after',
      `
STATUS: delivered (2xx), failed (tried again later), dropped (the receiver kept failing
longer than callguard api's --webhook-drop-after).

Example:
  $ callguard webhook deliveries crm --limit 50

JSON: {"webhook","pending":n,"deliveries":[{"event","type","attempt","status","code","ms","error","at"}]}`,
    )
    .action(async (name: string, options: { limit: number }, command: Command) =>
      withContext(command, io, async (context) => {
        const { pending, deliveries } = await new WebhookStore(await context.redis(), context.namespace).deliveries(name, options.limit).catch(rethrow);
        context.print(
          [
            ...(deliveries.length === 0
              ? [`no deliveries yet for ${name}`]
              : table(['AT', 'EVENT', 'TYPE', 'TRY', 'STATUS', 'CODE', 'MS', 'ERROR'], deliveries.map(deliveryRow))),
            `${pending} event${pending === 1 ? '' : 's'} waiting`,
          ],
          { webhook: name, pending, deliveries: deliveries.map(deliveryJson) },
        );
      }),
    );
}

function parseEvents(text: string): string[] {
  const events = text.split(',').map((event) => event.trim()).filter((event) => event !== '');
  const unknown = events.filter((event) => !isEventType(event));
  if (events.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`"${text}": give some of ${EVENT_TYPES.join(', ')}`);
  }
  return events;
}

function nameOf(url: string): string {
  try {
    return nameFromUrl(url);
  } catch (error) {
    return rethrow(error);
  }
}

function deliveryRow(delivery: Delivery): string[] {
  return [
    isoTime(delivery.at) ?? '',
    delivery.event,
    delivery.type,
    String(delivery.attempt),
    delivery.status,
    delivery.code === undefined ? '' : String(delivery.code),
    delivery.ms.toFixed(1),
    delivery.error ?? '',
  ];
}

function rethrow(error: unknown): never {
  if (error instanceof WebhookError) throw error.code === 'invalid' ? new UsageError(error.message) : new CliError(error.message);
  throw error;
}
