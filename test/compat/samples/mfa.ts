/**
 * Sample requests for the MFA device operations, used by test/compat/authorization.test.ts: valid
 * parameters that a principal with no permissions must be refused.
 */

const SERIAL = 'arn:aws:iam::123456789012:mfa/probe-device';

/** IAM operation name to parameters. */
export const IAM_SAMPLES: Record<string, Record<string, string>> = {
  CreateVirtualMFADevice: { VirtualMFADeviceName: 'probe-device' },
  EnableMFADevice: {
    UserName: 'target',
    SerialNumber: SERIAL,
    AuthenticationCode1: '123456',
    AuthenticationCode2: '234567',
  },
  ResyncMFADevice: {
    UserName: 'target',
    SerialNumber: SERIAL,
    AuthenticationCode1: '123456',
    AuthenticationCode2: '234567',
  },
  DeactivateMFADevice: { UserName: 'target', SerialNumber: SERIAL },
  DeleteVirtualMFADevice: { SerialNumber: SERIAL },
  ListMFADevices: { UserName: 'target' },
  ListVirtualMFADevices: {},
  TagMFADevice: { SerialNumber: SERIAL, 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' },
  UntagMFADevice: { SerialNumber: SERIAL, 'TagKeys.member.1': 'k' },
  ListMFADeviceTags: { SerialNumber: SERIAL },
};

/** STS operation name to parameters (signed operations only). */
export const STS_SAMPLES: Record<string, Record<string, string>> = {};
