import { Module } from '@nestjs/common';
import { CallBoxModule } from '../callbox/callbox.module';
import { TopUpModule } from '../topup/topup.module';
import { TransactionsModule } from '../transactions/transactions.module';
import { AdminController } from './admin.controller';
import { AdminOverviewService } from './admin-overview.service';
import { AdminTransactionsService } from './admin-transactions.service';

/** The admin console's API (/api/admin/*): what its pages read. Commands stay on their own routes. */
@Module({
  imports: [TransactionsModule, CallBoxModule, TopUpModule],
  providers: [AdminTransactionsService, AdminOverviewService],
  controllers: [AdminController],
})
export class AdminModule {}
