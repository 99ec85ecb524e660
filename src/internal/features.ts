/** The core's side of the contract's tiers: a call that needs an optional group checks it first. */
import { type Backend, type BackendFeature, type FeatureMethods, hasFeature } from "../backend.js";
import { UnsupportedError } from "../errors.js";

/**
 * `backend`, typed with the methods of `feature`; throws {@link UnsupportedError} (code
 * `UNSUPPORTED`, naming the feature) when the backend does not declare it, so the caller gets
 * a clear error before anything reaches the store.
 */
export function requireFeature<F extends BackendFeature>(
  backend: Backend,
  feature: F,
): Backend & FeatureMethods[F] {
  if (!hasFeature(backend, feature)) throw new UnsupportedError(feature, backend.name);
  return backend;
}
