import { Link } from 'react-router';
import { EmptyState } from '../components/StateMessage.tsx';

export function NotFoundPage() {
  return (
    <EmptyState title="There is no page here.">
      <Link to="/" className="font-medium text-sky-700 underline">
        Go to the recommendations
      </Link>
    </EmptyState>
  );
}
