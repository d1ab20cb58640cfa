export * from './identity.subjects';
export * from './sign-in.messages';
export * from './workos.messages';
export * from './me.messages';
export * from './session-token';
export * from './user.events';
