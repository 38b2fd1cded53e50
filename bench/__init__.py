"""The storefront benchmark (``make bench``): not part of the deployable, never imported by it."""
