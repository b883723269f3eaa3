/**
 * Virtual MFA devices: CreateVirtualMFADevice (base32 seed and QR code PNG), EnableMFADevice (two
 * consecutive codes), ResyncMFADevice, DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices,
 * ListVirtualMFADevices (IAM API Reference; "Assign a virtual MFA device"). Seeds are sealed under
 * the master key; a code is never accepted twice (each device remembers its last accepted step).
 */

import QRCode from 'qrcode';
import { base32Decode, matchStep, newSeed } from '../../auth/totp.js';
import type { ContextValue } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import type { MfaDevice, Row, StoreReader, StoreWriter } from '../../store/types.js';
import { type AuthTarget, type CallContext, operation } from '../operation.js';
import { type Params, RULES } from '../params.js';
import { resourceTagValues } from '../tag-context.js';
import { checkDistinctTagKeys, createTargets, mustGet, now, pageList, readPage } from './common.js';
import { tagOperations } from './tagging.js';
import { alreadyExists, userNameOrSelf, userTarget } from './users.js';

const SERIAL = { required: true, min: 9, max: 256, pattern: '[\\w+=/:,.@-]+' } as const;
const CODE = { required: true, min: 6, max: 6, pattern: '[\\d]+' } as const;
/** ResyncMFADevice looks further for the two codes than sign-in does (a device whose clock drifted). */
const RESYNC_WINDOW = 10;

/** The device with this serial number in the caller's account, or undefined. */
async function deviceOf(store: StoreReader, accountId: string, serial: string): Promise<Row<'mfa-device'> | undefined> {
  return store.get('mfa-device', accountId, serial);
}

function seedOf(ctx: CallContext, device: MfaDevice): Uint8Array {
  const seed = base32Decode(ctx.deps.secrets.open(device.seedCiphertext, device.serialNumber));
  if (seed === undefined) throw new Error(`MFA device ${device.serialNumber} has a corrupt seed`);
  return seed;
}

/**
 * The step at which two consecutive codes were generated (code2 one step after code1), looking
 * `window` steps around now; undefined when they are not consecutive codes of this seed.
 */
function consecutiveStep(
  seed: Uint8Array,
  code1: string,
  code2: string,
  nowSeconds: number,
  window: number,
): number | undefined {
  const second = matchStep(seed, code2, nowSeconds, window);
  if (second === undefined) return undefined;
  return matchStep(seed, code1, (second - 1) * 30, 0) === second - 1 ? second : undefined;
}

/**
 * Checks an MFA code for a user's enabled device and consumes it: the device must be the user's,
 * the code one of the current step or one either side, and later than the last code accepted.
 * Throws AccessDenied in STS's words otherwise. Resolves to the time of authentication (seconds).
 */
export async function useMfaCode(
  ctx: CallContext,
  userName: string | undefined,
  serial: string,
  code: string,
): Promise<number> {
  const accountId = ctx.caller.accountId;
  const nowSeconds = Math.floor(ctx.env.now.getTime() / 1000);
  const unknown = () =>
    new WireError(
      'AccessDenied',
      'MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.',
    );
  const invalid = () =>
    new WireError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code. ');
  const found = await deviceOf(ctx.deps.store, accountId, serial);
  if (found === undefined || userName === undefined || found.owner !== userName.toLowerCase()) throw unknown();
  const step = matchStep(seedOf(ctx, found.body), code, nowSeconds, 1);
  if (step === undefined) throw invalid();
  await ctx.deps.store.write(async (tx) => {
    const row = await deviceOf(tx, accountId, serial);
    // The device as checked above: not deactivated, moved to another user or given a new seed since.
    if (row === undefined || row.owner !== found.owner || row.body.seedCiphertext !== found.body.seedCiphertext) {
      throw unknown();
    }
    // INVARIANT: checked again inside the write, so two requests racing with one code cannot both pass.
    if (row.body.lastStep !== undefined && step <= row.body.lastStep) throw invalid();
    await tx.update({ ...row, body: { ...row.body, lastStep: step } });
  });
  return nowSeconds;
}

const createVirtualMfaDevice = operation({
  name: 'CreateVirtualMFADevice',
  action: 'iam:CreateVirtualMFADevice',
  parse: (p) => ({
    name: p.str('VirtualMFADeviceName', { required: true, min: 1, max: 226, pattern: '[\\w+=,.@-]+' }),
    path: p.str('Path', RULES.path) ?? '/',
    tags: p.tags(),
  }),
  // "Tag virtual MFA devices": creating a device with tags also needs iam:TagMFADevice.
  targets: async (i, ctx) =>
    createTargets(`arn:aws:iam::${ctx.caller.accountId}:mfa${i.path}${i.name}`, i.tags, 'iam:TagMFADevice'),
  async run(i, ctx) {
    checkDistinctTagKeys(i.tags);
    const accountId = ctx.caller.accountId;
    const serialNumber = `arn:aws:iam::${accountId}:mfa${i.path}${i.name}`;
    const seed = newSeed();
    const device: MfaDevice = {
      serialNumber,
      path: i.path,
      name: i.name,
      seedCiphertext: ctx.deps.secrets.seal(seed, serialNumber),
      createdAt: now(ctx),
      tags: i.tags,
    };
    await ctx.deps.store
      .write((tx) => tx.insert({ kind: 'mfa-device', accountId, key: serialNumber, path: i.path, body: device }))
      .catch((e) => alreadyExists(e, 'MFADevice entity at the same path and name already exists.'));
    const label = encodeURIComponent(`basalt:${i.name}@${accountId}`);
    const png = await QRCode.toBuffer(`otpauth://totp/${label}?secret=${seed}&issuer=basalt`, { type: 'png' });
    // Both are blobs on the wire (base64): the seed as its base32 text, the QR code as PNG bytes.
    return {
      VirtualMFADevice: {
        SerialNumber: serialNumber,
        Base32StringSeed: Buffer.from(seed, 'ascii').toString('base64'),
        QRCodePNG: png.toString('base64'),
        Tags: i.tags.length > 0 ? i.tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined,
      },
    };
  },
});

async function mustDevice(tx: StoreReader, accountId: string, serial: string): Promise<Row<'mfa-device'>> {
  const row = await deviceOf(tx, accountId, serial);
  if (row === undefined) throw new WireError('NoSuchEntity', `MFA Device with serial number ${serial} does not exist.`);
  return row;
}

/** The device with this serial number, which must be assigned to the user; NoSuchEntity otherwise. */
async function mustAssigned(
  tx: StoreReader,
  accountId: string,
  serial: string,
  userName: string,
): Promise<Row<'mfa-device'>> {
  const row = await mustDevice(tx, accountId, serial);
  if (row.owner !== userName.toLowerCase()) {
    throw new WireError('NoSuchEntity', `MFA Device with serial number ${serial} is not assigned to user ${userName}.`);
  }
  return row;
}

/** The parameters of EnableMFADevice and ResyncMFADevice: the user, the device, two consecutive codes. */
function readCodes(p: Params) {
  return {
    userName: p.str('UserName', RULES.userName),
    serial: p.str('SerialNumber', SERIAL),
    code1: p.str('AuthenticationCode1', CODE),
    code2: p.str('AuthenticationCode2', CODE),
  };
}

/**
 * The step of the second of two consecutive codes, searched `window` steps around now and later
 * than the last step the device accepted; InvalidAuthenticationCode otherwise.
 */
function checkCodes(ctx: CallContext, device: MfaDevice, code1: string, code2: string, window: number): number {
  const step = consecutiveStep(seedOf(ctx, device), code1, code2, Math.floor(ctx.env.now.getTime() / 1000), window);
  if (step === undefined || (device.lastStep !== undefined && step <= device.lastStep)) {
    throw new WireError('InvalidAuthenticationCode', 'Authentication code for device is not valid.');
  }
  return step;
}

const enableMfaDevice = operation({
  name: 'EnableMFADevice',
  action: 'iam:EnableMFADevice',
  parse: readCodes,
  targets: async (i, ctx) => [await userTarget(ctx, i.userName)],
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    await ctx.deps.store.write(async (tx: StoreWriter) => {
      const user = await mustGet(tx, 'user', accountId, i.userName);
      const row = await mustDevice(tx, accountId, i.serial);
      if (row.owner !== undefined) throw new WireError('EntityAlreadyExists', 'MFA Device is already in use.');
      const step = checkCodes(ctx, row.body, i.code1, i.code2, 1);
      await tx.update({
        ...row,
        owner: user.key,
        body: { ...row.body, userName: user.body.name, enabledAt: now(ctx), lastStep: step },
      });
    });
    return undefined;
  },
});

const resyncMfaDevice = operation({
  name: 'ResyncMFADevice',
  action: 'iam:ResyncMFADevice',
  parse: readCodes,
  targets: async (i, ctx) => [await userTarget(ctx, i.userName)],
  async run(i, ctx) {
    await ctx.deps.store.write(async (tx) => {
      const row = await mustAssigned(tx, ctx.caller.accountId, i.serial, i.userName);
      const step = checkCodes(ctx, row.body, i.code1, i.code2, RESYNC_WINDOW);
      await tx.update({ ...row, body: { ...row.body, lastStep: step } });
    });
    return undefined;
  },
});

const deactivateMfaDevice = operation({
  name: 'DeactivateMFADevice',
  action: 'iam:DeactivateMFADevice',
  parse: (p) => ({ userName: p.str('UserName', RULES.userName), serial: p.str('SerialNumber', SERIAL) }),
  targets: async (i, ctx) => [await userTarget(ctx, i.userName)],
  async run(i, ctx) {
    await ctx.deps.store.write(async (tx) => {
      const row = await mustAssigned(tx, ctx.caller.accountId, i.serial, i.userName);
      const { userName: _u, enabledAt: _e, ...rest } = row.body;
      const { owner: _o, ...unowned } = row;
      await tx.update({ ...unowned, body: rest });
    });
    return undefined;
  },
});

const deleteVirtualMfaDevice = operation({
  name: 'DeleteVirtualMFADevice',
  action: 'iam:DeleteVirtualMFADevice',
  parse: (p) => ({ serial: p.str('SerialNumber', SERIAL) }),
  targets: async (i, ctx) => [await deviceTarget(ctx, i.serial)],
  async run(i, ctx) {
    await ctx.deps.store.write(async (tx) => {
      const row = await mustDevice(tx, ctx.caller.accountId, i.serial);
      if (row.owner !== undefined) throw new WireError('DeleteConflict', 'MFA device is still in use.');
      await tx.delete('mfa-device', ctx.caller.accountId, row.key);
    });
    return undefined;
  },
});

const listMfaDevices = operation({
  name: 'ListMFADevices',
  action: 'iam:ListMFADevices',
  parse: (p) => ({ userName: p.str('UserName', { ...RULES.userName, required: false }), page: readPage(p) }),
  async targets(i, ctx) {
    const name = userNameOrSelf(ctx, i.userName);
    return [name === undefined ? { resource: ctx.caller.arn } : await userTarget(ctx, name)];
  },
  async run(i, ctx) {
    const name = userNameOrSelf(ctx, i.userName);
    if (name === undefined) return { MFADevices: [], IsTruncated: false };
    await mustGet(ctx.deps.store, 'user', ctx.caller.accountId, name);
    const rows = await ctx.deps.store.list('mfa-device', ctx.caller.accountId, { owner: name.toLowerCase() });
    const { rows: page, more } = pageList(rows, i.page, (r) => r.key);
    return {
      MFADevices: page.map((r) => ({
        UserName: r.body.userName,
        SerialNumber: r.body.serialNumber,
        EnableDate: r.body.enabledAt,
      })),
      ...more,
    };
  },
});

const listVirtualMfaDevices = operation({
  name: 'ListVirtualMFADevices',
  action: 'iam:ListVirtualMFADevices',
  parse: (p) => ({
    status: p.oneOf('AssignmentStatus', ['Assigned', 'Unassigned', 'Any'] as const) ?? 'Any',
    page: readPage(p),
  }),
  targets: async () => [{ resource: '*' }],
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    const rows = (await ctx.deps.store.list('mfa-device', accountId)).filter(
      (r) => i.status === 'Any' || (i.status === 'Assigned') === (r.owner !== undefined),
    );
    const { rows: page, more } = pageList(rows, i.page, (r) => r.key);
    const out = [];
    for (const r of page) {
      const user = r.owner === undefined ? undefined : await ctx.deps.store.get('user', accountId, r.owner);
      out.push({
        SerialNumber: r.body.serialNumber,
        User:
          user === undefined
            ? undefined
            : {
                Path: user.body.path,
                UserName: user.body.name,
                UserId: user.body.id,
                Arn: user.body.arn,
                CreateDate: user.body.createdAt,
              },
        EnableDate: r.body.enabledAt,
      });
    }
    return { VirtualMFADevices: out, ...more };
  },
});

/**
 * A device's authorization target, with its tags: the mfa resource type has aws:ResourceTag
 * ("TagMFADevice": "You can use tags to restrict access to only an IAM virtual MFA device that has a
 * specified tag attached").
 */
async function deviceTarget(
  ctx: CallContext,
  serial: string,
  extra: Record<string, ContextValue> = {},
): Promise<AuthTarget> {
  const row = await deviceOf(ctx.deps.store, ctx.caller.accountId, serial);
  return { resource: serial, values: { ...resourceTagValues(row?.body.tags ?? []), ...extra } };
}

/** The MFA device operations, with TagMFADevice, UntagMFADevice and ListMFADeviceTags. */
export const MFA_OPERATIONS = [
  createVirtualMfaDevice,
  enableMfaDevice,
  resyncMfaDevice,
  deactivateMfaDevice,
  deleteVirtualMfaDevice,
  listMfaDevices,
  listVirtualMfaDevices,
  ...tagOperations<MfaDevice>({
    noun: 'MFADevice',
    param: 'SerialNumber',
    rule: SERIAL,
    target: deviceTarget,
    read: async (ctx, serial) => (await mustDevice(ctx.deps.store, ctx.caller.accountId, serial)).body,
    async change(ctx, serial, fn) {
      await ctx.deps.store.write(async (tx) => {
        const row = await mustDevice(tx, ctx.caller.accountId, serial);
        await tx.update({ ...row, body: fn(row.body) });
      });
    },
  }),
];
