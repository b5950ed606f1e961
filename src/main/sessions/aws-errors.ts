// AWS errors as sentences an operator can act on.
import { HatchError } from '../../shared/contract';

export function describeAwsError(error: unknown, context: { target?: string; profile?: string; region?: string }): HatchError {
  if (error instanceof HatchError) return error;
  const name = (error as { name?: string })?.name ?? 'Error';
  const message = (error as { message?: string })?.message ?? String(error);
  const where = [context.profile, context.region].filter(Boolean).join(' / ');
  switch (name) {
    case 'TargetNotConnected':
      return new HatchError('AwsError', `${context.target ?? 'The node'} is not connected to Session Manager (${message}).`, 'Check the node is running and its SSM agent is online, then refresh the node list.', name);
    case 'TargetNotConnectedException':
      // ECS Exec: the container's agent is not reachable (often the task role's IAM).
      return new HatchError('AwsError', `ECS Exec could not reach the container: ${message}`, 'Check that the task’s ExecuteCommandAgent is running and its task role allows ssmmessages:*, then try again.', name);
    case 'InvalidParameterException':
      return new HatchError('AwsError', message, /execute command was not enabled/i.test(message) ? 'Turn ECS Exec on for the service (enableExecuteCommand) and start new tasks.' : null, name);
    case 'ClusterNotFoundException':
      return new HatchError('AwsError', `The cluster was not found${where ? ` in ${where}` : ''}.`, 'Refresh the Containers view.', name);
    case 'InvalidDocument':
      return new HatchError('AwsError', `The session document was refused: ${message}`, 'Pick another document or fix its parameters.', name);
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return new HatchError('AwsError', `The credentials of ${where || 'this profile'} have expired.`, 'Refresh the profile’s credentials (MFA or SSO sign-in) and try again.', name);
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'InvalidSignatureException':
    case 'SignatureDoesNotMatch':
      return new HatchError('AwsError', `AWS did not accept the credentials of ${where || 'this profile'} (${name}).`, 'Check the access key and secret in your AWS config.', name);
    case 'AccessDeniedException':
      return new HatchError('AwsError', `Access denied: ${message}`, 'Ask for the IAM permission it names.', name);
    case 'ThrottlingException':
      return new HatchError('AwsError', `AWS is throttling requests for ${where || 'this profile'}.`, 'Wait a moment and try again.', name);
    default:
      if ((error as { code?: string })?.code === 'ECONNREFUSED') {
        return new HatchError('Unavailable', `Could not reach the AWS endpoint for ${where || 'this profile'}.`, 'Check the network or the profile’s endpoint_url.', name);
      }
      return new HatchError('AwsError', `${name}: ${message}`, null, name);
  }
}
