/**
 * The fixed texts of the user documentation this CLI implements (the platform's
 * "CLI authentication" page, and the transcripts of its markdown version). They are frozen:
 * users, scripts and the documentation quote them word for word, so they change only when the
 * documentation does. Every other message is ours and follows `docs/style.md`.
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
