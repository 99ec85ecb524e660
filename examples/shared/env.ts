/**
 * Reading secrets from the environment with an error that names the variable, so a missing or
 * short one shows up at startup as what it is. Used by the Node example (`npm start`); the
 * Vercel and Cloudflare examples carry their own check, to stay self-contained.
 */

/** The value of a required secret variable, or an error naming it. */
export function requiredSecret(name: string, value: string | undefined, minLength = 16): string {
  if (!value || value.length < minLength) {
    throw new Error(`set the ${name} environment variable (a secret of ${minLength}+ characters)`);
  }
  return value;
}

/** The value of an optional secret variable: unset is fine, set but empty or short is not. */
export function optionalSecret(
  name: string,
  value: string | undefined,
  minLength = 16,
): string | undefined {
  return value === undefined ? undefined : requiredSecret(name, value, minLength);
}
