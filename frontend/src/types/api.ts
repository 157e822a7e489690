/**
 * Ways to read the generated API types (`api.gen.ts`, from the backend's OpenAPI schema): the
 * dashboard's own type names in `alerts.ts`, `monitoring.ts` and `auth.ts` are built with these.
 */
import type { components, operations } from "./api.gen";

export type Schemas = components["schemas"];

/** The query parameters an operation takes. */
export type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]["parameters"]["query"]>;

type Element<T> = T extends readonly (infer E)[] ? E : T;

/** The names an operation sorts by in `?ordering=` ("" for no order left out). */
export type OrderingField<Op extends keyof operations> =
  QueryOf<Op> extends { ordering?: infer O } ? Exclude<Extract<Element<NonNullable<O>>, string>, ""> : never;

/** An `?ordering=` value: one name, or two separated by a comma (the second breaks ties). */
export type OrderingOf<Op extends keyof operations> =
  | OrderingField<Op>
  | `${OrderingField<Op>},${OrderingField<Op>}`;

/** `Sub`, which the compiler checks is part of `Of`: a narrower choice of what the API takes. */
export type SubsetOf<Of, Sub extends Of> = Sub;

/**
 * `values` as given (the order the dashboard shows them in), which the compiler checks name every
 * member of `T`: a value the schema adds fails the typecheck until it is placed here.
 */
export function everyValue<T extends string>() {
  return <const V extends readonly T[]>(
    values: V & ([Exclude<T, V[number]>] extends [never] ? unknown : { missing: Exclude<T, V[number]> }),
  ): V => values;
}
