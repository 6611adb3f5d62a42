package dev.logcast.broker.auth;

/** What a request needs: {@code read} (stream, poll, branches), {@code write} (ingest), {@code admin} (all). */
public enum Scope {
    READ, WRITE, ADMIN
}
