-- AlterEnum
ALTER TYPE "EmailStatus" ADD VALUE 'WITHDRAWN';
