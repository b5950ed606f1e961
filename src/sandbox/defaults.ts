// The sandbox's account, home region and newest agent version (shared by the node and ECS fleets).
export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_REGION = 'us-east-1';
export const LATEST_AGENT_VERSION = '3.3.1142.0';
