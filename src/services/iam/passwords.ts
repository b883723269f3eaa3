/**
 * Console passwords and the account password policy: CreateLoginProfile, GetLoginProfile,
 * UpdateLoginProfile, DeleteLoginProfile, ChangePassword, Get/Update/DeleteAccountPasswordPolicy
 * (IAM API Reference; "Setting an account password policy for IAM users").
 */

import { hashPassword, verifyPassword } from '../../auth/password.js';
import { WireError } from '../../protocols/wire-error.js';
import type { PasswordPolicy, StoreReader } from '../../store/types.js';
import { type CallContext, operation } from '../operation.js';
import { RULES } from '../params.js';
import { mustGet, now } from './common.js';
import { userTarget } from './users.js';

/** The policy IAM applies when the account has none ("Default password policy"). */
const DEFAULT_MIN_LENGTH = 8;

/** The account's password policy, or undefined. */
async function passwordPolicy(store: StoreReader, accountId: string): Promise<PasswordPolicy | undefined> {
  return (await store.get('password-policy', accountId, ''))?.body;
}

/** Checks a new password against the account's policy (PasswordPolicyViolation in IAM's words). */
async function checkPassword(ctx: CallContext, password: string): Promise<void> {
  const policy = await passwordPolicy(ctx.deps.store, ctx.caller.accountId);
  const min = policy?.MinimumPasswordLength ?? DEFAULT_MIN_LENGTH;
  const problems: string[] = [];
  if ([...password].length < min) problems.push(`Password should have at least ${min} characters`);
  if (policy?.RequireSymbols === true && !/[!@#$%^&*()_+\-=[\]{}|']/.test(password))
    problems.push('Password should have at least one symbol');
  if (policy?.RequireNumbers === true && !/[0-9]/.test(password))
    problems.push('Password should have at least one number');
  if (policy?.RequireUppercaseCharacters === true && !/[A-Z]/.test(password)) {
    problems.push('Password should have at least one uppercase letter');
  }
  if (policy?.RequireLowercaseCharacters === true && !/[a-z]/.test(password)) {
    problems.push('Password should have at least one lowercase letter');
  }
  if (problems.length > 0) throw new WireError('PasswordPolicyViolation', `${problems.join('; ')}.`);
}

function profileXml(userName: string, createdAt: string, resetRequired: boolean) {
  return { UserName: userName, CreateDate: createdAt, PasswordResetRequired: resetRequired };
}

const createLoginProfile = operation({
  name: 'CreateLoginProfile',
  action: 'iam:CreateLoginProfile',
  parse: (p) => ({
    userName: p.str('UserName', RULES.userName),
    password: p.str('Password', RULES.password),
    reset: p.bool('PasswordResetRequired') ?? false,
  }),
  targets: async (i, ctx) => [await userTarget(ctx, i.userName)],
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    await mustGet(ctx.deps.store, 'user', accountId, i.userName);
    await checkPassword(ctx, i.password);
    // INVARIANT: hashing (async, slow) happens before the transaction opens.
    const passwordHash = await hashPassword(i.password);
    const createdAt = now(ctx);
    const name = await ctx.deps.store.write(async (tx) => {
      const user = await mustGet(tx, 'user', accountId, i.userName);
      if ((await tx.get('login-profile', accountId, user.key)) !== undefined) {
        throw new WireError('EntityAlreadyExists', `Login Profile for user ${user.body.name} already exists.`);
      }
      await tx.insert({
        kind: 'login-profile',
        accountId,
        key: user.key,
        body: { userName: user.body.name, passwordHash, createdAt, passwordResetRequired: i.reset },
      });
      return user.body.name;
    });
    return { LoginProfile: profileXml(name, createdAt, i.reset) };
  },
});

const getLoginProfile = operation({
  name: 'GetLoginProfile',
  action: 'iam:GetLoginProfile',
  parse: (p) => ({ userName: p.str('UserName', RULES.userName) }),
  targets: async (i, ctx) => [await userTarget(ctx, i.userName)],
  async run(i, ctx) {
    const row = await ctx.deps.store.get('login-profile', ctx.caller.accountId, i.userName.toLowerCase());
    if (row === undefined) throw new WireError('NoSuchEntity', `Login Profile for User ${i.userName} cannot be found.`);
    return { LoginProfile: profileXml(row.body.userName, row.body.createdAt, row.body.passwordResetRequired) };
  },
});

const updateLoginProfile = operation({
  name: 'UpdateLoginProfile',
  action: 'iam:UpdateLoginProfile',
  parse: (p) => ({
    userName: p.str('UserName', RULES.userName),
    password: p.str('Password', { ...RULES.password, required: false }),
    reset: p.bool('PasswordResetRequired'),
  }),
  targets: async (i, ctx) => [await userTarget(ctx, i.userName)],
  async run(i, ctx) {
    if (i.password !== undefined) await checkPassword(ctx, i.password);
    const passwordHash = i.password === undefined ? undefined : await hashPassword(i.password);
    const accountId = ctx.caller.accountId;
    await ctx.deps.store.write(async (tx) => {
      const row = await tx.get('login-profile', accountId, i.userName.toLowerCase());
      if (row === undefined)
        throw new WireError('NoSuchEntity', `Login Profile for User ${i.userName} cannot be found.`);
      await tx.update({
        ...row,
        body: {
          ...row.body,
          ...(passwordHash === undefined ? {} : { passwordHash }),
          ...(i.reset === undefined ? {} : { passwordResetRequired: i.reset }),
        },
      });
    });
    return undefined;
  },
});

const deleteLoginProfile = operation({
  name: 'DeleteLoginProfile',
  action: 'iam:DeleteLoginProfile',
  parse: (p) => ({ userName: p.str('UserName', RULES.userName) }),
  targets: async (i, ctx) => [await userTarget(ctx, i.userName)],
  async run(i, ctx) {
    await ctx.deps.store.write(async (tx) => {
      if (!(await tx.delete('login-profile', ctx.caller.accountId, i.userName.toLowerCase()))) {
        throw new WireError('NoSuchEntity', `Login Profile for User ${i.userName} cannot be found.`);
      }
    });
    return undefined;
  },
});

const changePassword = operation({
  name: 'ChangePassword',
  action: 'iam:ChangePassword',
  parse: (p) => ({
    oldPassword: p.str('OldPassword', RULES.password),
    newPassword: p.str('NewPassword', RULES.password),
  }),
  // The caller's own user, with its tags (the Service Authorization Reference gives ChangePassword
  // the user resource type, whose keys are aws:ResourceTag and iam:ResourceTag); a caller that is
  // no IAM user is refused by run.
  targets: async (_i, ctx) =>
    ctx.caller.userName === undefined ? [{ resource: ctx.caller.arn }] : [await userTarget(ctx, ctx.caller.userName)],
  async run(i, ctx) {
    const userName = ctx.caller.userName;
    if (userName === undefined) {
      throw new WireError('InvalidUserType', 'Only IAM users can change their own password with ChangePassword.');
    }
    const accountId = ctx.caller.accountId;
    const row = await ctx.deps.store.get('login-profile', accountId, userName.toLowerCase());
    if (row === undefined) throw new WireError('NoSuchEntity', `Login Profile for User ${userName} cannot be found.`);
    if (!(await verifyPassword(i.oldPassword, row.body.passwordHash))) {
      throw new WireError('InvalidUserType', 'The old password is incorrect.');
    }
    await checkPassword(ctx, i.newPassword);
    const passwordHash = await hashPassword(i.newPassword);
    await ctx.deps.store.write(async (tx) => {
      const current = await tx.get('login-profile', accountId, userName.toLowerCase());
      if (current === undefined)
        throw new WireError('NoSuchEntity', `Login Profile for User ${userName} cannot be found.`);
      // The old password was verified against the hash read before this transaction: a password
      // changed since (by UpdateLoginProfile or another ChangePassword) was not verified.
      if (current.body.passwordHash !== row.body.passwordHash) {
        throw new WireError('InvalidUserType', 'The old password is incorrect.');
      }
      await tx.update({ ...current, body: { ...current.body, passwordHash, passwordResetRequired: false } });
    });
    return undefined;
  },
});

const getAccountPasswordPolicy = operation({
  name: 'GetAccountPasswordPolicy',
  action: 'iam:GetAccountPasswordPolicy',
  parse: () => ({}),
  targets: async () => [{ resource: '*' }],
  async run(_i, ctx) {
    const policy = await passwordPolicy(ctx.deps.store, ctx.caller.accountId);
    if (policy === undefined) {
      throw new WireError(
        'NoSuchEntity',
        `The Password Policy with domain name ${ctx.caller.accountId} cannot be found.`,
      );
    }
    return { PasswordPolicy: { ...policy, ExpirePasswords: policy.MaxPasswordAge !== undefined } };
  },
});

const updateAccountPasswordPolicy = operation({
  name: 'UpdateAccountPasswordPolicy',
  action: 'iam:UpdateAccountPasswordPolicy',
  parse: (p) => ({
    MinimumPasswordLength: p.int('MinimumPasswordLength', 6, 128) ?? 6,
    RequireSymbols: p.bool('RequireSymbols') ?? false,
    RequireNumbers: p.bool('RequireNumbers') ?? false,
    RequireUppercaseCharacters: p.bool('RequireUppercaseCharacters') ?? false,
    RequireLowercaseCharacters: p.bool('RequireLowercaseCharacters') ?? false,
    AllowUsersToChangePassword: p.bool('AllowUsersToChangePassword') ?? false,
    MaxPasswordAge: p.int('MaxPasswordAge', 1, 1095),
    PasswordReusePrevention: p.int('PasswordReusePrevention', 1, 24),
    HardExpiry: p.bool('HardExpiry'),
  }),
  targets: async () => [{ resource: '*' }],
  async run(i, ctx) {
    // "UpdateAccountPasswordPolicy": parameters left out take their default values, not the old ones.
    const body: PasswordPolicy = {
      MinimumPasswordLength: i.MinimumPasswordLength,
      RequireSymbols: i.RequireSymbols,
      RequireNumbers: i.RequireNumbers,
      RequireUppercaseCharacters: i.RequireUppercaseCharacters,
      RequireLowercaseCharacters: i.RequireLowercaseCharacters,
      AllowUsersToChangePassword: i.AllowUsersToChangePassword,
      ...(i.MaxPasswordAge === undefined ? {} : { MaxPasswordAge: i.MaxPasswordAge }),
      ...(i.PasswordReusePrevention === undefined ? {} : { PasswordReusePrevention: i.PasswordReusePrevention }),
      ...(i.HardExpiry === undefined ? {} : { HardExpiry: i.HardExpiry }),
    };
    const accountId = ctx.caller.accountId;
    await ctx.deps.store.write(async (tx) => {
      const row = { kind: 'password-policy' as const, accountId, key: '', body };
      if ((await tx.get('password-policy', accountId, '')) === undefined) await tx.insert(row);
      else await tx.update(row);
    });
    return undefined;
  },
});

const deleteAccountPasswordPolicy = operation({
  name: 'DeleteAccountPasswordPolicy',
  action: 'iam:DeleteAccountPasswordPolicy',
  parse: () => ({}),
  targets: async () => [{ resource: '*' }],
  async run(_i, ctx) {
    await ctx.deps.store.write(async (tx) => {
      if (!(await tx.delete('password-policy', ctx.caller.accountId, ''))) {
        throw new WireError(
          'NoSuchEntity',
          `The Password Policy with domain name ${ctx.caller.accountId} cannot be found.`,
        );
      }
    });
    return undefined;
  },
});

/** The password and password policy operations. */
export const PASSWORD_OPERATIONS = [
  createLoginProfile,
  getLoginProfile,
  updateLoginProfile,
  deleteLoginProfile,
  changePassword,
  getAccountPasswordPolicy,
  updateAccountPasswordPolicy,
  deleteAccountPasswordPolicy,
];
