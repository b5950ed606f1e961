// The aws service: profiles, credentials, SDK clients. See ProfileService,
// CredentialService and AwsClientFactory for the API the host composes.
export { ProfileService, type ProfileRecord, type ProfileServiceOptions, type ServiceId } from './profiles';
export {
  CredentialService,
  type AwsCredentials,
  type ClientConfig,
  type CredentialPrompts,
  type CredentialServiceOptions,
  type CredentialsProvider,
} from './credentials';
export { AwsClientFactory, type AwsClientFactoryOptions } from './client-factory';
export { BuiltinSandbox, createBuiltinSandbox, SANDBOX_PROFILE, type SandboxHandle, type SandboxStarter } from './sandbox';
export { PromptBroker } from './prompt-broker';
