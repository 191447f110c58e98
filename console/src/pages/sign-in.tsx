import { useState } from 'preact/hooks';
import { problemOfError, request, type Problem, type Session } from '../api.js';
import { Field, ProblemBox } from '../ui.js';

/** The token is sent once, exchanged for an HttpOnly session cookie; the page never keeps it. */
export function SignIn({ problem, onSignedIn }: { problem: Problem | null; onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [failed, setFailed] = useState<Problem | null>(problem);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const session = await request<Session>('POST', '/v1/session', { token: token.trim() });
      setToken('');
      onSignedIn(session);
    } catch (error) {
      const found = problemOfError(error);
      setFailed(found.status === 401 ? { ...found, detail: 'this token is not valid (unknown, revoked or expired)' } : found);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>callguard console</h1>
      <p>Sign in with an API token. The browser keeps a session cookie, not the token.</p>
      <form onSubmit={submit}>
        <Field label="API token" type="password" autoComplete="off" spellcheck={false} required value={token} onValue={setToken} hint="from: callguard token create --name <you> --role operator" />
        <ProblemBox problem={failed} />
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
      </form>
    </main>
  );
}
