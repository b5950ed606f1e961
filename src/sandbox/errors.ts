// AWS-shaped errors. Handlers throw ApiError; the server renders it in the calling
// service's wire format (JSON 1.1, query XML or EC2 XML) so the SDK raises the same
// exception class it would against AWS.

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Query protocol <Type>: Sender for caller faults, Receiver for ours. */
    readonly fault: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

export type Protocol = 'json' | 'query' | 'ec2';
export type ServiceName = 'ssm' | 'kms' | 'ec2' | 'sts' | 'ecs';

export const serviceProtocol: Record<ServiceName, Protocol> = { ssm: 'json', kms: 'json', ec2: 'ec2', sts: 'query', ecs: 'json' };

/** Authentication failures differ per service; these are the codes AWS answers with. */
export function authError(service: ServiceName, kind: 'unknown-key' | 'bad-signature' | 'expired' | 'missing' | 'skew', detail?: string): ApiError {
  const sigMsg =
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
  switch (kind) {
    case 'unknown-key':
      if (service === 'sts') return new ApiError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      if (service === 'ec2') return new ApiError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      return new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
    case 'bad-signature':
      if (service === 'sts') return new ApiError('SignatureDoesNotMatch', detail ?? sigMsg, 403);
      if (service === 'ec2') return new ApiError('AuthFailure', detail ?? 'AWS was not able to validate the provided access credentials', 401);
      return new ApiError('InvalidSignatureException', detail ?? sigMsg, 400);
    case 'skew':
      if (service === 'sts') return new ApiError('SignatureDoesNotMatch', detail ?? 'Signature expired', 403);
      if (service === 'ec2') return new ApiError('RequestExpired', detail ?? 'Request has expired.', 400);
      return new ApiError('InvalidSignatureException', detail ?? 'Signature expired', 400);
    case 'expired':
      if (service === 'sts') return new ApiError('ExpiredToken', 'The security token included in the request is expired', 400);
      if (service === 'ec2') return new ApiError('RequestExpired', 'Request has expired.', 400);
      return new ApiError('ExpiredTokenException', 'The security token included in the request is expired', 400);
    case 'missing':
      if (service === 'sts') return new ApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
      if (service === 'ec2') return new ApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 401);
      return new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
  }
}

export function throttleError(service: ServiceName): ApiError {
  if (service === 'ec2') return new ApiError('RequestLimitExceeded', 'Request limit exceeded.', 503, 'Sender');
  if (service === 'sts') return new ApiError('Throttling', 'Rate exceeded', 400);
  return new ApiError('ThrottlingException', 'Rate exceeded', 400);
}

/**
 * A call denied by policy (the `deny=REGION` fault: an SCP that denies a region), in the
 * shape each service answers with: SSM/KMS AccessDeniedException, EC2 UnauthorizedOperation.
 */
export function accessDeniedError(service: ServiceName, action: string, callerArn: string, region: string, accountId: string): ApiError {
  const why = 'with an explicit deny in a service control policy';
  if (service === 'ec2') {
    return new ApiError('UnauthorizedOperation', `You are not authorized to perform this operation. User: ${callerArn} is not authorized to perform: ec2:${action} ${why}`, 403);
  }
  if (service === 'sts') return new ApiError('AccessDenied', `User: ${callerArn} is not authorized to perform: sts:${action} ${why}`, 403);
  return new ApiError('AccessDeniedException', `User: ${callerArn} is not authorized to perform: ${service}:${action} on resource: arn:aws:${service}:${region}:${accountId}:* ${why}`, 400);
}
