/** The header that carries a matchmaking request's address; the server sets it on every request, replacing any sent by a client. */
export const ADDRESS_HEADER = 'x-quorum-remote-address';
