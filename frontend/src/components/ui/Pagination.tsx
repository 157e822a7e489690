import { plural } from "../../lib/text";

interface PaginationProps {
  page: number;
  pageSize: number;
  count: number;
  /** How many items this page shows. */
  shown: number;
  /** What an item is, for "1–50 of 120 error groups". */
  noun: string;
  onPageChange: (page: number) => void;
}

/** Previous and next pages, with where the reader is. Buttons rather than links: the page owns
 * the address and changes it. */
export function Pagination({ page, pageSize, count, shown, noun, onPageChange }: PaginationProps) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const first = shown === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = first + Math.max(0, shown - 1);
  return (
    <nav className="pagination" aria-label="Pagination">
      <p className="pagination__summary">
        {first}–{last} of {plural(count, noun)} · page {page} of {pages}
      </p>
      <div className="pagination__buttons">
        <button
          type="button"
          className="button button--secondary button--small"
          // aria-disabled: a disabled button would drop the focus of someone paging with the keyboard.
          aria-disabled={page <= 1}
          onClick={() => {
            if (page > 1) onPageChange(page - 1);
          }}
        >
          Previous page
        </button>
        <button
          type="button"
          className="button button--secondary button--small"
          aria-disabled={page >= pages}
          onClick={() => {
            if (page < pages) onPageChange(page + 1);
          }}
        >
          Next page
        </button>
      </div>
    </nav>
  );
}
