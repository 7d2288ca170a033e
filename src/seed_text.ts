/**
 * The fixed texts of the user documentation this CLI implements (the platform's
 * "CLI authentication" page, and the transcripts of its markdown version). They are frozen:
 * users, scripts and the documentation quote them word for word, so they change only when the
 * documentation does. Every other message is ours and follows `docs/style.md`. The seed prints
 * its error texts as `Error: ❌ Invalid OTP code`: the `Error:` prefix and the emoji are the
 * reporter's decoration, so the texts here are the words alone.
 *
 * @module
 */

/** `lua auth configure`: the first question, and its two answers. */
export const CHOOSE_METHOD = "Choose authentication method:";
/** The answers to {@linkcode CHOOSE_METHOD}. */
export const METHOD_API_KEY = "API Key";
/** The answers to {@linkcode CHOOSE_METHOD}. */
export const METHOD_EMAIL = "Email";
/** The API key question. */
export const ENTER_API_KEY = "Enter your API key";
/** The email question. */
export const ENTER_EMAIL = "Enter your email address:";
/** The code question. */
export const ENTER_OTP = "Enter the OTP code:";
/** Progress of the email flow, in the order the transcript shows them. */
export const SENDING_OTP = "📧 Sending OTP to your email...";
/** See {@linkcode SENDING_OTP}. */
export const OTP_SENT = "✅ OTP sent successfully!";
/** See {@linkcode SENDING_OTP}. */
export const VERIFYING_OTP = "🔐 Verifying OTP...";
/** See {@linkcode SENDING_OTP}. */
export const OTP_VERIFIED = "✅ OTP verified successfully!";
/** See {@linkcode SENDING_OTP}. */
export const GENERATING_KEY = "🔑 Generating API key...";
/** See {@linkcode SENDING_OTP}. */
export const KEY_SAVED = "✅ API key generated and saved securely.";
/** `lua auth configure --email <e>`: what the CLI prints after sending the code. */
export const CHECK_EMAIL = "Check your email for a 6-digit code.";

/** `lua auth key`: the confirmation question. */
export const KEY_PROMPT = "This will display your API key. Are you sure you want to continue?";
/** `lua auth key`: the line before the key. */
export const YOUR_KEY = "🔑 Your API key:";
/** `lua auth logout`: the confirmation question. */
export const LOGOUT_PROMPT =
  "Are you sure you want to delete your API key? This action cannot be undone.";
/** `lua auth logout`: the success line. */
export const KEY_DELETED = "API key deleted successfully.";

/** The admin dashboard, where keys are created and regenerated (revoked) by hand. */
export const ADMIN_DASHBOARD_URL = "https://admin.heylua.ai";

/** `NoApiKeyError`'s message: the troubleshooting section's "Error: No API key found.". */
export const NO_API_KEY = "No API key found.";
/** The seed's fixes for a missing key, under {@linkcode NO_API_KEY}. */
export const NO_KEY_HINTS: readonly string[] = [
  "Authenticate using one of:",
  "  lua auth configure              # Interactive setup (stores in ~/.lua-cli/credentials)",
  "  export LUA_API_KEY=your-key     # Environment variable",
  '  echo "LUA_API_KEY=key" >> .env  # .env file',
];

/** `AuthenticationError`'s message: the seed's "Error: ❌ Authentication failed", undecorated. */
export const AUTH_FAILED = "Authentication failed";
/** The seed's solutions for a rejected key, under {@linkcode AUTH_FAILED}. */
export const AUTH_FAILED_HINTS: readonly string[] = [
  "Verify you copied the complete key",
  "Check key hasn't been revoked",
  "Ensure no extra spaces",
  "Generate new key via email method: lua auth configure --email <you@example.com>",
];

/** `InvalidOtpError`'s message: the seed's "Error: ❌ Invalid OTP code", undecorated. */
export const INVALID_OTP = "Invalid OTP code";
/** The seed's solutions for a wrong one-time code, under {@linkcode INVALID_OTP}. */
export const INVALID_OTP_HINTS: readonly string[] = [
  "Double-check the code from email",
  "OTP expires after 10 minutes",
  "Request new OTP by running command again",
];
