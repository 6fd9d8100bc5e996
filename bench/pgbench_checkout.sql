-- One checkout's database work as one raw SQL transaction, for pgbench (bench/checkout.py).
-- A one-line, one-vendor cart: hold the cart, record the checkout and its saga with its step
-- log, sell the held unit (reservation consumed, stock and a movement), record the payment,
-- the order with its fulfillment and line, the shipment, and the events, appended under the
-- event log's advisory lock as the application does. Each pgbench client works on its own
-- variant (`:client_id`), like the HTTP benchmark's buyers on distinct items. The real
-- checkout spreads this over a dozen short transactions with network calls between them;
-- this is the ceiling the database alone would allow.
\set amount random(1000, 9999)
BEGIN;
SELECT variant_id AS v, product_id AS p, vendor_id AS vendor FROM inventory_item
 ORDER BY variant_id OFFSET :client_id LIMIT 1 \gset
SELECT gen_random_uuid() AS checkout, gen_random_uuid() AS saga, gen_random_uuid() AS hold,
       gen_random_uuid() AS payment, gen_random_uuid() AS ord, gen_random_uuid() AS ful,
       gen_random_uuid() AS buyer, gen_random_uuid() AS cart, now() AS t \gset
INSERT INTO cart_cart (id, user_id, status, currency, created_at, updated_at)
VALUES (:cart, :buyer, 'checking_out', 'EUR', :t, :t);
INSERT INTO checkout_checkout (id, buyer_id, idempotency_key, cart_id, saga_id, state, currency,
    shipping_address, shipping_method_id, payment_method, created_at, updated_at)
VALUES (:checkout, :buyer, :checkout, :cart, :saga, 'CREATED', 'EUR',
    '{"country": "DE", "postal_code": "10115"}', :ful, 'card', :t, :t);
INSERT INTO kernel_saga (id, type, key, status, current_step, data, attempts, created_at, updated_at)
VALUES (:saga, 'checkout.place_order', 'checkout:' || :checkout, 'running', 'validate_cart',
    '{}', 0, :t, :t);
INSERT INTO kernel_saga_step (id, saga_id, step, phase, status, attempt, started_at, finished_at)
SELECT gen_random_uuid(), :saga::uuid, s, 'forward', 'done', 1, :t::timestamptz, :t::timestamptz
  FROM unnest(ARRAY['validate_cart', 'reserve_inventory', 'take_payment', 'confirm_payment',
                    'create_order', 'create_shipments', 'complete']) AS s;
UPDATE inventory_item SET reserved = reserved + 1, updated_at = :t
 WHERE variant_id = :v AND on_hand - reserved >= 1;
INSERT INTO inventory_reservation (id, variant_id, owner_type, owner_id, quantity, status,
    expires_at, created_at, updated_at)
VALUES (:hold, :v, 'cart_line', :cart, 1, 'active', :t, :t, :t);
INSERT INTO payments_payment (id, owner_id, key, gateway, method, amount, currency,
    refunded_amount, status, reference, created_at, updated_at)
VALUES (:payment, :checkout, 'saga:' || :saga, 'sandbox', 'card', :amount, 'EUR', 0,
    'captured', 'pi_' || :payment, :t, :t);
UPDATE inventory_reservation SET status = 'consumed', ended_at = :t, updated_at = :t
 WHERE id = :hold AND status = 'active';
UPDATE inventory_item SET reserved = reserved - 1, on_hand = on_hand - 1, updated_at = :t
 WHERE variant_id = :v;
INSERT INTO inventory_movement (id, variant_id, kind, reason, on_hand_before, on_hand_after,
    reserved_before, reserved_after, created_at)
VALUES (gen_random_uuid(), :v, 'sale', 'order allocation', 1, 0, 1, 0, :t);
INSERT INTO orders_order (id, number, seq, buyer_id, checkout_id, status, currency, subtotal,
    discount, shipping, vat, total, refunded, shipping_address, shipping_method_id,
    payment_method, payment_id, discount_rule_ids, created_at, updated_at)
SELECT :ord::uuid, 'PGB-' || n, n, :buyer::uuid, :checkout::uuid, 'confirmed', 'EUR',
    :amount::bigint, 0, 490, 0, :amount::bigint + 490, 0, '{"country": "DE"}', :ful::uuid,
    'card', :payment::uuid, '[]', :t::timestamptz, :t::timestamptz
  FROM nextval('orders_order_number_seq') AS n;
INSERT INTO orders_fulfillment (id, order_id, vendor_id, status, currency, subtotal, shipping,
    total, created_at, updated_at)
VALUES (:ful, :ord, :vendor, 'pending', 'EUR', :amount::bigint, 490, :amount::bigint + 490, :t, :t);
INSERT INTO orders_line (id, order_id, fulfillment_id, variant_id, product_id, vendor_id,
    reservation_id, sku, title, quantity, unit_price, discount, vat, total, pricing)
VALUES (gen_random_uuid(), :ord, :ful, :v, :p, :vendor, :hold, 'PGB', 'pgbench',
    1, :amount, 0, 0, :amount, '{}');
INSERT INTO shipping_shipment (id, fulfillment_id, order_id, key, carrier, tracking_number,
    status, address, weight_grams, created_at, updated_at)
VALUES (gen_random_uuid(), :ful, :ord, :ful::text || '-ship', 'sandbox',
    'SBX' || :ful::text, 'pending', '{"country": "DE"}', 200, :t, :t);
UPDATE cart_cart SET status = 'converted', updated_at = :t WHERE id = :cart;
UPDATE checkout_checkout SET state = 'COMPLETED', order_id = :ord, payment_id = :payment,
    updated_at = :t WHERE id = :checkout;
UPDATE kernel_saga SET status = 'completed', finished_at = :t, updated_at = :t
 WHERE id = :saga;
SELECT pg_advisory_xact_lock(1162694735);
INSERT INTO kernel_event (id, type, version, aggregate_type, aggregate_id, payload, metadata,
    occurred_at)
SELECT gen_random_uuid(), e, 1, 'checkout', :checkout::text, '{}', '{}', :t::timestamptz
  FROM unnest(ARRAY['checkout.started', 'sagas.saga_started', 'inventory.reservation_extended',
                    'payments.payment_captured', 'inventory.consumed', 'orders.order_placed',
                    'orders.fulfillment_created', 'shipping.shipment_created',
                    'orders.order_confirmed', 'cart.converted', 'checkout.completed',
                    'sagas.saga_completed']) AS e;
COMMIT;
