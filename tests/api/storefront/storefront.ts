// A storefront written from the published API document only: list products, fill a cart, complete it, read the order.
// `generated/schema.d.ts` is generated from docs/openapi.yaml by openapi-typescript; tsc checks every call below
// against it (paths, parameters, bodies, answers). Run: node dist/storefront.js <base URL>.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Product = components["schemas"]["Product"];
type Problem = components["schemas"]["Problem"];

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8000";
const api = createClient<paths>({ baseUrl });

function fail(step: string, problem: Problem | undefined, status: number): never {
  throw new Error(`${step}: ${status} ${problem?.code ?? ""} ${problem?.detail ?? ""}`);
}

async function main(): Promise<void> {
  // 1. The listing, priced in euros: only products with stock.
  const listing = await api.GET("/api/v1/catalog/products/", {
    params: { query: { currency: "EUR", ordering: "name", page_size: 50 } },
  });
  if (!listing.data) fail("listing", listing.error as Problem | undefined, listing.response.status);
  const product: Product | undefined = listing.data.results.find((p) => p.in_stock === true);
  const variant = product?.variants.find((v) => (v.available ?? 0) > 0 && v.price != null);
  if (!product || !variant) throw new Error("no product in stock");
  console.log(`product ${product.slug}: ${variant.sku} at ${variant.price?.amount} ${variant.price?.currency}`);

  // 2. A cart with one line.
  const cart = await api.POST("/api/v1/checkout/carts/", { body: { currency: "EUR" } });
  if (!cart.data) fail("cart", cart.error as Problem | undefined, cart.response.status);
  const token: string = cart.data.token;
  const line = await api.POST("/api/v1/checkout/carts/{token}/lines/", {
    params: { path: { token } },
    body: { sku: variant.sku, quantity: 1 },
  });
  if (!line.data) fail("line", line.error as Problem | undefined, line.response.status);
  console.log(`cart total ${line.data.total} ${line.data.currency}`);

  // 3. Complete it, once, whatever the network does (the key makes a retry safe).
  const completed = await api.POST("/api/v1/checkout/carts/{token}/complete/", {
    params: { path: { token }, header: { "Idempotency-Key": crypto.randomUUID() } },
    body: {
      email: "ada@example.com",
      shipping_address: { name: "Ada", line1: "1 Main St", city: "Berlin", postal_code: "10115", country: "DE" },
      payment: { method: "test" },
    },
  });
  if (!completed.data) fail("complete", completed.error as Problem | undefined, completed.response.status);
  const order = completed.data;
  console.log(`order ${order.number} ${order.status} ${order.total} ${order.currency}`);

  // 4. Read it back with its token.
  const read = await api.GET("/api/v1/checkout/orders/{number}/", {
    params: { path: { number: order.number }, header: { "Order-Token": order.access_token ?? "" } },
  });
  if (!read.data) fail("order", read.error as Problem | undefined, read.response.status);
  console.log(`order ${read.data.number} reads ${read.data.status}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
